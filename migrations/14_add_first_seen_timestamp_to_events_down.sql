ALTER TABLE events DROP COLUMN first_seen_ts;
