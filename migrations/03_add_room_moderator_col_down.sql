ALTER TABLE rooms DROP COLUMN moderator_user_id;
