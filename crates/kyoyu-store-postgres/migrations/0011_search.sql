-- Search (issue 12). The folded text of each stored version, with a
-- trigram index (pg_trgm) for substring search in any script; where the
-- extension cannot be created, search still works, scanning. The
-- observable values of each version for exact lookup. Both go with their
-- version; rows stored before this migration are indexed by the hub at start.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available: text search will scan';
END
$$;
CREATE TABLE object_search (
    seq  BIGINT PRIMARY KEY,
    body TEXT   NOT NULL
);
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX object_search_trigrams ON object_search USING gin (body gin_trgm_ops);
    END IF;
END
$$;
CREATE TABLE object_values (
    value TEXT   NOT NULL,
    seq   BIGINT NOT NULL
);
CREATE INDEX object_values_by_value ON object_values (value, seq);
CREATE INDEX object_values_by_seq ON object_values (seq);
CREATE FUNCTION objects_unindex() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM object_search WHERE seq = OLD.seq;
    DELETE FROM object_values WHERE seq = OLD.seq;
    RETURN OLD;
END
$$;
CREATE TRIGGER objects_unindex AFTER DELETE ON objects
    FOR EACH ROW EXECUTE FUNCTION objects_unindex();
-- Versions stored up to here are indexed by the hub in the background.
INSERT INTO settings (key, value)
    VALUES ('search-backfill-upto', (SELECT COALESCE(MAX(seq), 0)::text FROM objects))
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
