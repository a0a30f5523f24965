ALTER TABLE communities DROP COLUMN can_self_join_rooms;
