-- kyoyu PostgreSQL store, schema version 3: concealed submissions.
-- The document is kyoyu-store's `Submission`; nothing in it names the
-- submitting organization (see docs/concealment.md). `state`, `community`
-- and `receipt_hash` are copies of its fields, for lookups; `created` only
-- grows, so listings come oldest first.
CREATE TABLE submissions (
    id           TEXT      PRIMARY KEY,
    state        TEXT      NOT NULL,
    community    TEXT      NOT NULL,
    receipt_hash TEXT      NOT NULL UNIQUE,
    doc          TEXT      NOT NULL,
    created      BIGSERIAL NOT NULL
);
CREATE INDEX submissions_by_state ON submissions (state, created);
