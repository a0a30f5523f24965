-- policyserv-ts 105: events counted by the frequency filters, so every process sees the same sliding window.
CREATE TABLE rate_events (
    community_id TEXT NOT NULL,
    sender TEXT NOT NULL,
    kind TEXT NOT NULL,
    ts BIGINT NOT NULL                 -- epoch ms
);
CREATE INDEX rate_events_lookup ON rate_events (community_id, kind, sender, ts);
CREATE INDEX rate_events_ts ON rate_events (ts);
