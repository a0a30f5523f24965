-- policyserv-ts 103: server-centric API tokens are stored as SHA-256 (lower-case hex of the UTF-8 token), never
-- in plaintext. Tokens an upstream server already issued keep working: they are hashed here and the plaintext is
-- cleared. The upstream column stays so upstream's schema (and migration 15) is untouched.
ALTER TABLE communities ADD COLUMN api_access_token_sha256 TEXT NULL;
UPDATE communities
   SET api_access_token_sha256 = encode(sha256(convert_to(api_access_token, 'UTF8')), 'hex'),
       api_access_token = NULL
 WHERE api_access_token IS NOT NULL AND api_access_token <> '';
UPDATE communities SET api_access_token = NULL WHERE api_access_token = '';
CREATE UNIQUE INDEX communities_api_access_token_sha256 ON communities (api_access_token_sha256);
