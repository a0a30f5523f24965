-- Upstream 10: a queued job only becomes due at after_ts (epoch milliseconds).
ALTER TABLE state_learn_queue ADD COLUMN after_ts BIGINT NOT NULL DEFAULT (EXTRACT(EPOCH FROM NOW()) * 1000);
