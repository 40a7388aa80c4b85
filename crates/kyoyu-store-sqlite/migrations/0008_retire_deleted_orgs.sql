-- Schema version 8: organizations deleted before version 6 retire their ids
-- too (the audit trail records every deletion).
INSERT INTO retired_orgs (id)
SELECT DISTINCT target FROM audit WHERE action = 'org.delete'
ON CONFLICT (id) DO NOTHING;
