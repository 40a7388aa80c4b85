-- Schema version 7: each recipient list stored once; object rows name it by
-- reference (`@` and a hash of the list) instead of repeating it.
CREATE TABLE recipient_lists (
    ref  TEXT PRIMARY KEY,
    list TEXT NOT NULL
);
