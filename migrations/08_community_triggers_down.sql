DROP TRIGGER ps_room_community_change ON rooms;
DROP FUNCTION notify_room_community_change;
DROP TRIGGER ps_community_config_change ON communities;
DROP FUNCTION notify_community_config_change;
