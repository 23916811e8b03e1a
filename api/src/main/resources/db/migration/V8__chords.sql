-- Chords: a body started once every header task has finished. The join reads the header tasks' merged states in
-- `tasks` (a task counts once however often it ran); `fired_at` is set by the one transaction that starts the body.
CREATE TABLE chords (
    id         VARCHAR(255)             NOT NULL PRIMARY KEY,
    root_id    VARCHAR(255),
    size       INTEGER                  NOT NULL,
    policy     VARCHAR(16)              NOT NULL,
    body       TEXT                     NOT NULL,
    defined_at TIMESTAMP WITH TIME ZONE NOT NULL,
    fired_at   TIMESTAMP WITH TIME ZONE,
    outcome    VARCHAR(16)
);

-- The sweep that settles a join two API instances left undecided reads the chords not fired yet.
CREATE INDEX chords_unfired ON chords (fired_at, defined_at);

CREATE TABLE chord_parts (
    chord_id VARCHAR(255) NOT NULL,
    position INTEGER      NOT NULL,
    task_id  VARCHAR(255) NOT NULL,
    PRIMARY KEY (chord_id, position)
);

-- A workflow's view: its chords, and its tasks by their root (set once per task, so not in the way of HOT updates).
CREATE INDEX chords_by_root ON chords (root_id);
CREATE INDEX tasks_by_root ON tasks (root_id, submitted_at DESC, id DESC);

-- A finished task finds its chord.
CREATE INDEX chord_parts_by_task ON chord_parts (task_id);
