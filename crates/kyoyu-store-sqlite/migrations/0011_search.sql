-- Search (issue 12). The folded text of each stored version, in an FTS5
-- table with the trigram tokenizer: substring search in any script from
-- three characters (shorter queries scan it with LIKE). The observable
-- values of each version for exact lookup. Both go with their version; rows
-- stored before this migration are indexed by the hub at start.
CREATE VIRTUAL TABLE object_search USING fts5(body, tokenize = 'trigram');
CREATE TABLE object_values (
    value TEXT    NOT NULL,
    seq   INTEGER NOT NULL
);
CREATE INDEX object_values_by_value ON object_values (value, seq);
CREATE INDEX object_values_by_seq ON object_values (seq);
CREATE TRIGGER objects_unindex AFTER DELETE ON objects BEGIN
    DELETE FROM object_search WHERE rowid = old.seq;
    DELETE FROM object_values WHERE seq = old.seq;
END;
-- Versions stored up to here are indexed by the hub in the background.
INSERT INTO settings (key, value)
    VALUES ('search-backfill-upto', (SELECT CAST(COALESCE(MAX(seq), 0) AS TEXT) FROM objects))
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
