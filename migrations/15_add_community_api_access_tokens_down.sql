DROP INDEX idx_communities_api_access_token;
ALTER TABLE communities DROP COLUMN api_access_token;
