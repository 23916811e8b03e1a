-- A task is dead-lettered once per replay. A worker that dies between publishing a dead letter and acking its task
-- gets the task again and dead-letters it a second time; kept twice, replaying both would run the task twice.
-- replay counts the API's replays of the task (the x-celeriac-replay header), so that the dead letter of a replayed
-- task is kept while the one it was replayed from is still being removed. Copies kept before this rule are dropped
-- (the oldest stays). Dead letters without a task id (undecodable bodies) are each their own.
ALTER TABLE dead_letters ADD COLUMN replay INTEGER DEFAULT 0 NOT NULL;

DELETE FROM dead_letters
WHERE task_id IS NOT NULL
  AND id > (SELECT MIN(first.id) FROM dead_letters first WHERE first.task_id = dead_letters.task_id);

CREATE UNIQUE INDEX dead_letters_one_per_replay ON dead_letters (task_id, replay);
