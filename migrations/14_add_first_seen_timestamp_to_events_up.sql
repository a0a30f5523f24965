-- Upstream 14: when a verdict was first stored (only ever set by the default).
ALTER TABLE events ADD COLUMN first_seen_ts TIMESTAMP NOT NULL DEFAULT NOW();
