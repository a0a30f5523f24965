-- Upstream 15: bearer tokens for the server-centric API (plaintext upstream; see 103 for how we hash them).
ALTER TABLE communities ADD COLUMN api_access_token TEXT;
CREATE INDEX idx_communities_api_access_token ON communities (api_access_token);
