-- Schema version 5: a revision number on each submission, so every
-- workflow transition is a compare-and-set on (state, revision): a request
-- that read an older revision changes nothing.
ALTER TABLE submissions ADD COLUMN rev BIGINT NOT NULL DEFAULT 0;
