-- kyoyu PostgreSQL store, schema version 1.
CREATE TABLE IF NOT EXISTS settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS api_roots (
    path        TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    description TEXT
);

CREATE TABLE IF NOT EXISTS collections (
    id          TEXT PRIMARY KEY,
    api_root    TEXT NOT NULL REFERENCES api_roots (path),
    title       TEXT NOT NULL,
    description TEXT,
    alias       TEXT
);

-- One row per object version. Writers take the clock row's lock for the
-- whole transaction, so seq values become visible in increasing order and
-- a cursor (a seq) never skips a row committed later.
CREATE TABLE IF NOT EXISTS objects (
    seq          BIGSERIAL PRIMARY KEY,
    collection   TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    version      TEXT    NOT NULL,
    version_key  BIGINT  NOT NULL,
    spec_version TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    date_added   BIGINT  NOT NULL,
    is_first     BOOLEAN NOT NULL,
    is_last      BOOLEAN NOT NULL,
    json         TEXT    NOT NULL,
    UNIQUE (collection, id, version_key)
);
CREATE INDEX IF NOT EXISTS objects_by_seq   ON objects (collection, seq);
CREATE INDEX IF NOT EXISTS objects_last     ON objects (collection, seq) WHERE is_last;
CREATE INDEX IF NOT EXISTS objects_by_type  ON objects (collection, type, seq) WHERE is_last;
CREATE INDEX IF NOT EXISTS objects_by_added ON objects (collection, date_added);

CREATE TABLE IF NOT EXISTS statuses (
    id       TEXT PRIMARY KEY,
    api_root TEXT NOT NULL,
    body     TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS tokens (
    id      TEXT PRIMARY KEY,
    hash    TEXT NOT NULL UNIQUE,
    name    TEXT NOT NULL,
    admin   BOOLEAN NOT NULL,
    read    TEXT NOT NULL,
    write   TEXT NOT NULL,
    expires BIGINT,
    revoked BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS clock (
    one        INTEGER PRIMARY KEY CHECK (one = 1),
    last_added BIGINT NOT NULL
);
INSERT INTO clock (one, last_added) VALUES (1, 0) ON CONFLICT DO NOTHING;
