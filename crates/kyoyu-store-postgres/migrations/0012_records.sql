-- Workflow records (issue 13): incidents with their reports, hotline calls.
-- Every version is a row that is only ever added: nothing filed is lost or
-- silently edited. `record_heads` points at the newest version of each.
CREATE TABLE record_versions (
    kind    TEXT NOT NULL,
    id      TEXT NOT NULL,
    rev     BIGINT NOT NULL,
    org     TEXT NOT NULL,
    parties TEXT NOT NULL,
    state   TEXT NOT NULL,
    due     BIGINT,
    body    TEXT NOT NULL,
    at      BIGINT NOT NULL,
    PRIMARY KEY (kind, id, rev)
);
CREATE TABLE record_heads (
    kind    TEXT NOT NULL,
    id      TEXT NOT NULL,
    rev     BIGINT NOT NULL,
    org     TEXT NOT NULL,
    parties TEXT NOT NULL,
    state   TEXT NOT NULL,
    due     BIGINT,
    at      BIGINT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX record_heads_due ON record_heads (kind, due);
CREATE INDEX record_heads_at ON record_heads (kind, at);
CREATE FUNCTION record_versions_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'record versions are never changed or deleted';
END;
$$;
CREATE TRIGGER record_versions_kept BEFORE UPDATE OR DELETE OR TRUNCATE ON record_versions
    FOR EACH STATEMENT EXECUTE FUNCTION record_versions_kept();

-- Live streams: numbered events a subscriber resumes after.
CREATE TABLE stream_events (
    seq   BIGSERIAL PRIMARY KEY,
    topic TEXT NOT NULL,
    at    BIGINT NOT NULL,
    body  TEXT NOT NULL
);
CREATE INDEX stream_events_topic ON stream_events (topic, seq);
