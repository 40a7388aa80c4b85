-- Schema version 9: versions stored before identifiers were made canonical
-- at ingest may name their TLP marking with upper-case hex digits, which
-- the policy then did not recognize (the row kept no level, or a weaker
-- one). The rows are rewritten in Rust right after this file runs, in the
-- same transaction (`repair_versions` in lib.rs, deciding with
-- kyoyu_store::logic::repair_version): identifiers in lower case, the TLP
-- level the stricter of the stored one and the one the markings give.
SELECT 1;
