-- Upstream 13: the state-learn queue is drained on a schedule, so the insert notification goes away.
DROP TRIGGER ps_state_learn_insert ON state_learn_queue;
DROP FUNCTION notify_state_learn_queue;
