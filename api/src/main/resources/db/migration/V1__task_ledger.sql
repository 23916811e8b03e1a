-- The task ledger: one row per task with its merged state, and the history of its state changes.
-- Portable between PostgreSQL and H2 (in PostgreSQL mode).
CREATE TABLE tasks (
    id               VARCHAR(255)             NOT NULL PRIMARY KEY,
    task             VARCHAR(255)             NOT NULL,
    queue            VARCHAR(255),
    state            VARCHAR(16)              NOT NULL,
    attempt          INTEGER                  NOT NULL DEFAULT 0,
    args             TEXT,
    kwargs           TEXT,
    result           TEXT,
    result_truncated BOOLEAN                  NOT NULL DEFAULT FALSE,
    error_type       VARCHAR(255),
    error_message    TEXT,
    traceback        TEXT,
    progress         TEXT,
    worker           VARCHAR(255),
    parent_id        VARCHAR(255),
    root_id          VARCHAR(255),
    eta              TIMESTAMP WITH TIME ZONE,
    expires          TIMESTAMP WITH TIME ZONE,
    submitted_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at       TIMESTAMP WITH TIME ZONE,
    finished_at      TIMESTAMP WITH TIME ZONE,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX tasks_by_submitted ON tasks (submitted_at DESC, id DESC);
CREATE INDEX tasks_by_state ON tasks (state, submitted_at DESC);
CREATE INDEX tasks_by_task ON tasks (task, submitted_at DESC);

CREATE TABLE task_history (
    task_id VARCHAR(255)             NOT NULL,
    at      TIMESTAMP WITH TIME ZONE NOT NULL,
    state   VARCHAR(16)              NOT NULL,
    attempt INTEGER                  NOT NULL,
    worker  VARCHAR(255),
    detail  TEXT
);

CREATE INDEX task_history_by_task ON task_history (task_id, at);
