-- Revocations are stored (the ledger is the source of truth) as well as published to the workers' stream.
CREATE TABLE revocations (
    task_id    VARCHAR(255)             NOT NULL PRIMARY KEY,
    terminate  BOOLEAN                  NOT NULL,
    revoked_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Idempotency keys of POST /api/v1/tasks: the same key with the same body returns the same task.
CREATE TABLE idempotency_keys (
    idempotency_key VARCHAR(255)             NOT NULL PRIMARY KEY,
    request_hash    VARCHAR(64)              NOT NULL,
    task_id         VARCHAR(255)             NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL
);
