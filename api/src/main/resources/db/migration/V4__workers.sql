-- Workers as their events describe them, and every task name a worker ever registered.
CREATE TABLE workers (
    hostname       VARCHAR(255)             NOT NULL PRIMARY KEY,
    software       VARCHAR(255),
    version        VARCHAR(64),
    queues         TEXT,
    pool           VARCHAR(64),
    pool_size      INTEGER,
    active         INTEGER                  NOT NULL DEFAULT 0,
    processed      BIGINT                   NOT NULL DEFAULT 0,
    registered     TEXT,
    online         BOOLEAN                  NOT NULL,
    first_seen     TIMESTAMP WITH TIME ZONE NOT NULL,
    last_heartbeat TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE registered_tasks (
    name      VARCHAR(255)             NOT NULL PRIMARY KEY,
    last_seen TIMESTAMP WITH TIME ZONE NOT NULL
);
