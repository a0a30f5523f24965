DROP TABLE ban_rules;
DROP TABLE displaynames;
ALTER TABLE rooms DROP COLUMN last_state_update_ts;
