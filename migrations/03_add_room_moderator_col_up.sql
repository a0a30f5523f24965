-- Upstream 03: optional moderator used for redactions (made NOT NULL by 06).
ALTER TABLE rooms ADD COLUMN moderator_user_id TEXT NULL;
