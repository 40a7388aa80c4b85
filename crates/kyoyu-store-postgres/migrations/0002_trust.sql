-- kyoyu PostgreSQL store, schema version 2: the trust model.

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
-- strictest TLP level (NULL: none known; kyoyu_store::tlp_code) and named
-- recipients (a JSON list; NULL: none).
ALTER TABLE objects
    ADD COLUMN author     TEXT NOT NULL DEFAULT '',
    ADD COLUMN tlp        SMALLINT,
    ADD COLUMN recipients TEXT;

-- The hub's first collection belongs to the national community.
UPDATE collections SET alias = 'national' WHERE alias = 'default';

-- Tokens act for an organization with a role.
CREATE TABLE tokens_v2 (
    id        TEXT    PRIMARY KEY,
    hash      TEXT    NOT NULL UNIQUE,
    name      TEXT    NOT NULL,
    org       TEXT    NOT NULL,
    role      TEXT    NOT NULL,
    read_only BOOLEAN NOT NULL,
    ip_allow  TEXT    NOT NULL,
    expires   BIGINT,
    revoked   BOOLEAN NOT NULL,
    created   BIGINT  NOT NULL
);
INSERT INTO tokens_v2 (id, hash, name, org, role, read_only, ip_allow, expires, revoked, created)
    SELECT id, hash, name, 'hub', CASE WHEN admin THEN 'hub-admin' ELSE 'member' END, false, '[]', expires, revoked, 0
    FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_v2 RENAME TO tokens;
ALTER TABLE tokens RENAME CONSTRAINT tokens_v2_pkey TO tokens_pkey;
ALTER TABLE tokens RENAME CONSTRAINT tokens_v2_hash_key TO tokens_hash_key;

-- The audit trail: each entry commits to the previous one by hash
-- (kyoyu-trust::audit); the triggers keep it append-only. Writers take
-- advisory lock 8471 before reading the last entry, so concurrent hub
-- processes never fork the chain.
CREATE TABLE audit (
    seq         BIGINT PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor_org   TEXT   NOT NULL,
    actor_token TEXT   NOT NULL,
    action      TEXT   NOT NULL,
    target      TEXT   NOT NULL,
    detail      TEXT   NOT NULL,
    prev        TEXT   NOT NULL,
    hash        TEXT   NOT NULL
);

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$;
CREATE TRIGGER audit_no_update_or_delete BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
