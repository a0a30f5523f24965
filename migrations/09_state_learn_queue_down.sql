DROP TRIGGER IF EXISTS ps_state_learn_insert ON state_learn_queue;
DROP FUNCTION IF EXISTS notify_state_learn_queue;
DROP TABLE state_learn_queue;
