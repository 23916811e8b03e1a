-- The ledger written in batches (one statement per batch, the precedence rule inside SQL) and the outbox of messages
-- the API has committed to publish. Portable between PostgreSQL and H2 (in PostgreSQL mode).

-- replay: the run (replays from a dead letter so far); precedence: replay, then TaskStatus.orderKey(), as one number
-- that a write compares. No index covers a column that a task's events change (state, times, result, history), so
-- every change after a task's first write updates its row in place (HOT on PostgreSQL): no index entry is added, and
-- the old version's space is reclaimed as the page is next used, vacuum or not.
ALTER TABLE tasks ADD COLUMN replay INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE tasks ADD COLUMN precedence BIGINT DEFAULT 0 NOT NULL;
-- Every state change, one JSON object a line (V7 moves task_history here).
ALTER TABLE tasks ADD COLUMN history TEXT;

UPDATE tasks SET
    precedence = CASE state
        WHEN 'PENDING' THEN attempt * 2097152 + 0
        WHEN 'RECEIVED' THEN attempt * 2097152 + 1
        WHEN 'STARTED' THEN attempt * 2097152 + 2
        WHEN 'RETRY' THEN attempt * 2097152 + 3
        WHEN 'REVOKED' THEN 2199023255552 + 4 * 2097152 + attempt
        WHEN 'FAILURE' THEN 2199023255552 + 5 * 2097152 + attempt
        ELSE 2199023255552 + 6 * 2097152 + attempt
    END;

-- Lists by state walk the newest tasks (tasks_by_submitted) instead: an index on the state would be updated by every
-- state change.
DROP INDEX tasks_by_state;
CREATE INDEX tasks_by_queue ON tasks (queue, submitted_at DESC, id DESC);

-- Messages committed to be published: a row is written in the transaction that records the task and deleted once
-- the broker confirmed it. A row left by an API that died in between is published again (OutboxRelay).
CREATE TABLE task_outbox (
    task_id          VARCHAR(255)             NOT NULL PRIMARY KEY,
    exchange         VARCHAR(255)             NOT NULL,
    routing_key      VARCHAR(255)             NOT NULL,
    replay           INTEGER                  DEFAULT 0 NOT NULL,
    content_type     VARCHAR(255),
    content_encoding VARCHAR(64),
    reply_to         VARCHAR(255),
    priority         INTEGER,
    headers          TEXT                     NOT NULL,
    body             BYTEA                    NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX task_outbox_by_age ON task_outbox (created_at);

-- When a revocation was last published on the revocation stream: the API publishes it again while its task can
-- still arrive, so that a worker reading only the stream's recent past still sees it.
ALTER TABLE revocations ADD COLUMN announced_at TIMESTAMP WITH TIME ZONE;
UPDATE revocations SET announced_at = revoked_at;
