DROP TRIGGER ps_edu_inserted ON destination_edus;
DROP FUNCTION notify_edu_inserted;
DROP TABLE destination_edus;
DROP TABLE destinations;
