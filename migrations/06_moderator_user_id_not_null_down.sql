ALTER TABLE rooms ALTER COLUMN moderator_user_id DROP NOT NULL;
