package dev.celeriac.protocol.names;

/**
 * Micrometer meter names and tag keys of every Celeriac component. Tags are low-cardinality only: task names,
 * queue names and outcomes, never task ids.
 */
public final class MetricNames {

    /** Counter: tasks submitted by a producer, tagged task, queue, outcome (accepted, nacked, returned, timeout). */
    public static final String TASKS_SUBMITTED = "celeriac.tasks.submitted";
    /** Timer: publish-to-confirm time of task messages, tagged queue. */
    public static final String PUBLISH_CONFIRM = "celeriac.publish.confirm";
    /** Counter: tasks finished by a worker, tagged task, queue, outcome. */
    public static final String TASKS_COMPLETED = "celeriac.tasks.completed";
    /** Timer: task run time, tagged task, queue, outcome. */
    public static final String TASK_RUNTIME = "celeriac.task.runtime";
    /** Timer: time from publish (or due time) to start, tagged task, queue. */
    public static final String TASK_QUEUE_WAIT = "celeriac.task.queue.wait";
    /** Counter: retries scheduled, tagged task, queue. */
    public static final String TASKS_RETRIED = "celeriac.tasks.retried";
    /** Counter: messages dead-lettered, tagged task, queue, reason. */
    public static final String TASKS_DEAD_LETTERED = "celeriac.tasks.dead.lettered";
    /** Counter: tasks quarantined to run alone after a delivery ended unsettled, tagged task, queue. */
    public static final String TASKS_QUARANTINED = "celeriac.tasks.quarantined";
    /**
     * Counter: tasks a worker held back because their type's rate limit was reached, tagged task, queue, scope: sent
     * round the delay ladder ({@link #SCOPE_WORKER}), or parked until the fleet's turn ({@link #SCOPE_GLOBAL}).
     */
    public static final String TASKS_THROTTLED = "celeriac.tasks.throttled";
    /** Counter: parked tasks of a type with a global rate limit that this worker released, tagged task, queue. */
    public static final String TASKS_RELEASED = "celeriac.tasks.released";
    /** Gauge: the rate limit in force, tasks per second, tagged task, scope; only types with a limit have one. */
    public static final String TASK_RATE_LIMIT = "celeriac.task.rate.limit";
    /** Counter: tasks revoked or expired instead of run, tagged task, queue. */
    public static final String TASKS_REVOKED = "celeriac.tasks.revoked";
    /** Gauge: busy slots of a pool, tagged queue, pool. */
    public static final String POOL_ACTIVE = "celeriac.pool.active";
    /** Gauge: slots of a pool, tagged queue, pool. */
    public static final String POOL_SIZE = "celeriac.pool.size";
    /** Gauge: ready messages of a queue, tagged queue. */
    public static final String QUEUE_DEPTH = "celeriac.queue.depth";
    /** Gauge: consumers of a queue, tagged queue. */
    public static final String QUEUE_CONSUMERS = "celeriac.queue.consumers";
    /**
     * Gauge: dead letters of a queue awaiting an operator (kept by the API until replayed or discarded, plus any still
     * in the broker's dead-letter queue), tagged queue.
     */
    public static final String DEAD_LETTER_DEPTH = "celeriac.queue.dead.letters";
    /** Gauge: workers alive (heartbeat younger than 10 s) that consume a queue, tagged queue. */
    public static final String QUEUE_WORKERS = "celeriac.queue.workers";
    /** Gauge: workers alive (heartbeat younger than 10 s), whatever they consume. */
    public static final String WORKERS_UP = "celeriac.workers.up";

    /** Counter: events the API's recorder wrote to the ledger, tagged kind (task, worker). */
    public static final String RECORDER_EVENTS = "celeriac.recorder.events";
    /** Gauge: events waiting in the durable event queue for the recorder. */
    public static final String RECORDER_BACKLOG = "celeriac.recorder.backlog";
    /** Gauge: seconds between the oldest event of the last recorded batch and its commit. */
    public static final String RECORDER_LAG = "celeriac.recorder.lag";
    /** Counter: task-sent event messages a producer sent again because the broker did not take them. */
    public static final String SENT_EVENTS_RESENT = "celeriac.sent.events.resent";
    /** Counter: accepted tasks the API's outbox relay published again, left unconfirmed by an API that stopped. */
    public static final String OUTBOX_REPUBLISHED = "celeriac.outbox.republished";
    /**
     * Counter: slots of a schedule dealt with, by {@link #TAG_SCHEDULE} and {@link #TAG_OUTCOME} ({@link #FIRE_FIRED},
     * {@link #FIRE_TRIGGERED}, {@link #FIRE_MISSED}, {@link #FIRE_SKIPPED}), counted by the API instance that dealt
     * with each.
     */
    public static final String SCHEDULE_FIRES = "celeriac.schedule.fires";
    /** Timer: from a slot's time to its task's confirmed publish, by {@link #TAG_SCHEDULE}. */
    public static final String SCHEDULE_LATENESS = "celeriac.schedule.lateness";

    /** Outcome tag values of {@link #SCHEDULE_FIRES}. */
    public static final String FIRE_FIRED = "fired";

    public static final String FIRE_TRIGGERED = "triggered";
    public static final String FIRE_MISSED = "missed";
    public static final String FIRE_SKIPPED = "skipped";

    /** Outcome tag values of {@link #TASKS_COMPLETED} and {@link #TASK_RUNTIME}. */
    public static final String OUTCOME_SUCCESS = "success";

    public static final String OUTCOME_RETRY = "retry";
    public static final String OUTCOME_FAILURE = "failure";
    public static final String OUTCOME_REVOKED = "revoked";

    /**
     * The {@link #TAG_TASK} value of messages naming a task the worker does not serve (unknown or malformed), so a
     * producer sending arbitrary names cannot grow the number of series.
     */
    public static final String TASK_UNREGISTERED = "(unregistered)";

    public static final String TAG_TASK = "task";
    public static final String TAG_QUEUE = "queue";
    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_POOL = "pool";
    public static final String TAG_REASON = "reason";
    public static final String TAG_KIND = "kind";
    public static final String TAG_SCOPE = "scope";
    public static final String TAG_SCHEDULE = "schedule";

    /** Scope tag values of {@link #TASKS_THROTTLED} and {@link #TASK_RATE_LIMIT}: one worker's limit, or the fleet's. */
    public static final String SCOPE_WORKER = "worker";

    public static final String SCOPE_GLOBAL = "global";

    private MetricNames() {}
}
