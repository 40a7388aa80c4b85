-- Console users and their sessions (issue 12). A user is found by login;
-- the rest of the record is one JSON document. A session row holds the
-- keyed hash of the cookie's secret, never the secret.
CREATE TABLE users (
    login TEXT PRIMARY KEY,
    org   TEXT NOT NULL,
    doc   TEXT NOT NULL
);
CREATE INDEX users_org ON users (org);

CREATE TABLE sessions (
    hash      TEXT PRIMARY KEY,
    login     TEXT NOT NULL,
    last_seen INTEGER NOT NULL,
    doc       TEXT NOT NULL
);
CREATE INDEX sessions_login ON sessions (login);
CREATE INDEX sessions_last_seen ON sessions (last_seen);
