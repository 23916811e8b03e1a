-- Schedules: periodic tasks. `next_slot` is the first slot no scheduler has dealt with yet, the cursor every API
-- instance reads; the one transaction that inserts a slot's row into `schedule_fires` fires it (or skips it), so a
-- slot fires once however many instances run the scheduler.
CREATE TABLE schedules (
    id                   VARCHAR(255)             NOT NULL PRIMARY KEY,
    cron                 VARCHAR(255),
    zone                 VARCHAR(64)              NOT NULL,
    every_ms             BIGINT,
    run_at               TIMESTAMP WITH TIME ZONE,
    anchor               TIMESTAMP WITH TIME ZONE NOT NULL,
    task                 VARCHAR(255)             NOT NULL,
    request              TEXT                     NOT NULL,
    missed               VARCHAR(16)              NOT NULL,
    starting_deadline_ms BIGINT,
    overlap              VARCHAR(16)              NOT NULL,
    paused               BOOLEAN                  NOT NULL,
    origin               VARCHAR(16)              NOT NULL,
    next_slot            TIMESTAMP WITH TIME ZONE,
    last_slot            TIMESTAMP WITH TIME ZONE,
    last_task_id         VARCHAR(255),
    created_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at           TIMESTAMP WITH TIME ZONE NOT NULL
);

-- The scheduler's one query: the schedules whose next slot has come.
CREATE INDEX schedules_due ON schedules (next_slot);

CREATE TABLE schedule_fires (
    schedule_id VARCHAR(255)             NOT NULL,
    slot        TIMESTAMP WITH TIME ZONE NOT NULL,
    task_id     VARCHAR(255),
    outcome     VARCHAR(16)              NOT NULL,
    fired_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (schedule_id, slot)
);

-- A task finds the schedule and slot it was fired for; the cleanup removes old fires.
CREATE INDEX schedule_fires_by_task ON schedule_fires (task_id);
CREATE INDEX schedule_fires_by_time ON schedule_fires (fired_at);
