-- kyoyu embedded store, schema version 1.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE api_roots (
    path        TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    description TEXT
);

CREATE TABLE collections (
    id          TEXT PRIMARY KEY,
    api_root    TEXT NOT NULL REFERENCES api_roots (path),
    title       TEXT NOT NULL,
    description TEXT,
    alias       TEXT
);

-- One row per object version. `seq` never repeats (AUTOINCREMENT), so a
-- cursor that names a seq stays valid after deletions; `date_added` grows
-- with `seq`, so ordering by either is the same.
CREATE TABLE objects (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    collection   TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    version      TEXT    NOT NULL,
    version_key  INTEGER NOT NULL,
    spec_version TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    date_added   INTEGER NOT NULL,
    is_first     INTEGER NOT NULL,
    is_last      INTEGER NOT NULL,
    json         TEXT    NOT NULL
);
-- One row per (collection, id, version); also the index for id lookups.
CREATE UNIQUE INDEX objects_by_id ON objects (collection, id, version_key);
CREATE INDEX objects_by_seq   ON objects (collection, seq);
CREATE INDEX objects_last     ON objects (collection, is_last, seq);
CREATE INDEX objects_by_type  ON objects (collection, type, is_last, seq);
CREATE INDEX objects_by_added ON objects (collection, date_added);

CREATE TABLE statuses (
    id       TEXT PRIMARY KEY,
    api_root TEXT NOT NULL,
    body     TEXT NOT NULL
);

CREATE TABLE tokens (
    id      TEXT PRIMARY KEY,
    hash    TEXT NOT NULL UNIQUE,
    name    TEXT NOT NULL,
    admin   INTEGER NOT NULL,
    read    TEXT NOT NULL,
    write   TEXT NOT NULL,
    expires INTEGER,
    revoked INTEGER NOT NULL
);

-- The last date_added handed out, so that it only ever grows.
CREATE TABLE clock (
    one        INTEGER PRIMARY KEY CHECK (one = 1),
    last_added INTEGER NOT NULL
);
INSERT INTO clock (one, last_added) VALUES (1, 0);
