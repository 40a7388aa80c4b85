-- Schema version 6: ids of deleted organizations, never given out again.
-- Objects, recipient lists and audit entries name organizations by id; a
-- new organization under an old id would inherit the old one's TLP:RED
-- deliveries and could supersede its objects.
CREATE TABLE retired_orgs (
    id TEXT PRIMARY KEY
);
