-- Upstream 02: the rooms we protect and their room versions.
CREATE TABLE rooms (
    room_id TEXT NOT NULL PRIMARY KEY,
    room_version TEXT NOT NULL
);
