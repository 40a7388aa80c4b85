-- Workflow records (issue 13): incidents with their reports, hotline calls.
-- Every version is a row that is only ever added: nothing filed is lost or
-- silently edited. `record_heads` points at the newest version of each.
CREATE TABLE record_versions (
    kind    TEXT NOT NULL,
    id      TEXT NOT NULL,
    rev     INTEGER NOT NULL,
    org     TEXT NOT NULL,
    parties TEXT NOT NULL,
    state   TEXT NOT NULL,
    due     INTEGER,
    body    TEXT NOT NULL,
    at      INTEGER NOT NULL,
    PRIMARY KEY (kind, id, rev)
);
CREATE TABLE record_heads (
    kind    TEXT NOT NULL,
    id      TEXT NOT NULL,
    rev     INTEGER NOT NULL,
    org     TEXT NOT NULL,
    parties TEXT NOT NULL,
    state   TEXT NOT NULL,
    due     INTEGER,
    at      INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX record_heads_due ON record_heads (kind, due);
CREATE INDEX record_heads_at ON record_heads (kind, at);
CREATE TRIGGER record_versions_kept_update BEFORE UPDATE ON record_versions
BEGIN SELECT RAISE(ABORT, 'record versions are never changed'); END;
CREATE TRIGGER record_versions_kept_delete BEFORE DELETE ON record_versions
BEGIN SELECT RAISE(ABORT, 'record versions are never deleted'); END;

-- Live streams: numbered events a subscriber resumes after.
CREATE TABLE stream_events (
    seq   INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    at    INTEGER NOT NULL,
    body  TEXT NOT NULL
);
CREATE INDEX stream_events_topic ON stream_events (topic, seq);
