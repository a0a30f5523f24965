ALTER TABLE state_learn_queue DROP COLUMN after_ts;
