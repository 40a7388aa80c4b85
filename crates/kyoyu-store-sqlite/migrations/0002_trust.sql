-- kyoyu embedded store, schema version 2: the trust model.

-- Organizations and communities are kept as JSON documents (their shape is
-- kyoyu-trust's); memberships are rows, so they cascade.
CREATE TABLE orgs (
    id  TEXT PRIMARY KEY,
    doc TEXT NOT NULL
);

CREATE TABLE communities (
    id  TEXT PRIMARY KEY,
    doc TEXT NOT NULL
);

CREATE TABLE memberships (
    community TEXT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    org       TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    role      TEXT NOT NULL,
    PRIMARY KEY (community, org)
);
CREATE INDEX memberships_by_org ON memberships (org);

-- What the access policy needs of each version: who contributed it, its
-- strictest TLP level (NULL: none known) and named recipients (JSON list).
ALTER TABLE objects ADD COLUMN author TEXT NOT NULL DEFAULT '';
ALTER TABLE objects ADD COLUMN tlp INTEGER;
ALTER TABLE objects ADD COLUMN recipients TEXT;

-- The hub's first collection belongs to the national community.
UPDATE collections SET alias = 'national' WHERE alias = 'default';

-- Tokens act for an organization with a role.
CREATE TABLE tokens_v2 (
    id        TEXT PRIMARY KEY,
    hash      TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    org       TEXT NOT NULL,
    role      TEXT NOT NULL,
    read_only INTEGER NOT NULL,
    ip_allow  TEXT NOT NULL,
    expires   INTEGER,
    revoked   INTEGER NOT NULL,
    created   INTEGER NOT NULL
);
INSERT INTO tokens_v2 (id, hash, name, org, role, read_only, ip_allow, expires, revoked, created)
    SELECT id, hash, name, 'hub', CASE WHEN admin THEN 'hub-admin' ELSE 'member' END, 0, '[]', expires, revoked, 0
    FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_v2 RENAME TO tokens;

-- The audit trail: each entry commits to the previous one by hash
-- (kyoyu-trust::audit); the triggers keep it append-only.
CREATE TABLE audit (
    seq         INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_org   TEXT    NOT NULL,
    actor_token TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    target      TEXT    NOT NULL,
    detail      TEXT    NOT NULL,
    prev        TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
