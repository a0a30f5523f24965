-- Upstream 01: per-event verdict cache (the CSV columns are converted by 05).
CREATE TABLE events (
    event_id TEXT NOT NULL PRIMARY KEY,
    codes_csv TEXT NOT NULL,
    reasons_csv TEXT NOT NULL
);
