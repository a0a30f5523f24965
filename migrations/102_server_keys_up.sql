-- policyserv-ts 102: remote servers' verify keys, so the keyring survives restarts and is shared by processes.
CREATE TABLE server_keys (
    server_name TEXT NOT NULL,
    key_id TEXT NOT NULL,
    public_key TEXT NOT NULL,          -- unpadded standard base64 of the 32-byte ed25519 key
    valid_until_ts BIGINT NOT NULL,    -- epoch ms, as published by the server (0 for an old key)
    expired_ts BIGINT NULL,            -- epoch ms from old_verify_keys; NULL for a current key
    fetched_at BIGINT NOT NULL,        -- epoch ms, when we learned it
    PRIMARY KEY (server_name, key_id)
);
