-- Schema version 4: who contributed to each statistics bucket, as keyed
-- tags (the key is outside the database), with no link to any submission.
CREATE TABLE contributions (
    bucket TEXT NOT NULL,
    tag    TEXT NOT NULL,
    count  BIGINT NOT NULL,
    PRIMARY KEY (bucket, tag)
);
