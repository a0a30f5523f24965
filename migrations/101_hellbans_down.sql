DROP TRIGGER ps_hellban_change ON hellbans;
DROP FUNCTION notify_hellban;
DROP FUNCTION ps_go_csv_field;
DROP TABLE hellbans;
