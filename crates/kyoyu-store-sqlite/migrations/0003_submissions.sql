-- kyoyu embedded store, schema version 3: concealed submissions.
-- The document is kyoyu-store's `Submission`; nothing in it names the
-- submitting organization (see docs/concealment.md).
CREATE TABLE submissions (
    id           TEXT PRIMARY KEY,
    state        TEXT NOT NULL,
    community    TEXT NOT NULL,
    receipt_hash TEXT NOT NULL UNIQUE,
    doc          TEXT NOT NULL
);
CREATE INDEX submissions_by_state ON submissions (state, id);
