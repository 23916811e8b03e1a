package dev.celeriac.protocol.names;

/**
 * Names of the exchanges and queues of the Celeriac topology. Work queues are named by their users; every other
 * name derives from the constants here.
 */
public final class TopologyNames {

    /** Direct exchange that routes task messages to the work queue named by the routing key. */
    public static final String TASK_EXCHANGE = "celeriac.tasks";
    /** Direct exchange that routes dead letters to the dead-letter queue of their work queue. */
    public static final String DEAD_LETTER_EXCHANGE = "celeriac.dead";
    /** Prefix of the delay tiers' fanout exchanges and queues, e.g. {@code celeriac.delay.5s}. */
    public static final String DELAY_PREFIX = "celeriac.delay.";
    /** Celery's topic exchange for task and worker events. */
    public static final String EVENT_EXCHANGE = "celeryev";
    /** Durable queue that keeps task and worker events for the ledger, even while the API is down. */
    public static final String EVENT_QUEUE = "celeriac.events";
    /** Binding patterns of the event queue on the event exchange. */
    public static final String EVENT_BINDING_TASK = "task.#";

    public static final String EVENT_BINDING_WORKER = "worker.#";
    /**
     * Stream of revocations: every worker reads it from (now - retention) when it starts and then follows it, so a
     * revoke reaches the running workers and those that start later.
     */
    public static final String REVOCATION_STREAM = "celeriac.revocations";
    /** How long the revocation stream keeps revocations. */
    public static final String REVOCATION_RETENTION = "7D";
    /** Celery's fanout exchange for remote control broadcasts (ping, inspect, revoke). */
    public static final String CONTROL_EXCHANGE = "celery.pidbox";
    /** Celery's direct exchange for remote control replies, routed by the asking client's id. */
    public static final String CONTROL_REPLY_EXCHANGE = "reply.celery.pidbox";
    /** Suffix of a node's own control queue on {@link #CONTROL_EXCHANGE}: {@code <hostname>.celery.pidbox}. */
    public static final String CONTROL_QUEUE_SUFFIX = ".celery.pidbox";
    /** Work queue used when a task names none. */
    public static final String DEFAULT_QUEUE = "default";
    /** Suffix of a work queue's dead-letter queue: {@code default} dead-letters to {@code default.dlq}. */
    public static final String DEAD_LETTER_QUEUE_SUFFIX = ".dlq";

    /**
     * Suffix of a work queue's quarantine: {@code default} quarantines to {@code default.suspect} the tasks whose
     * worker stopped without settling them, and runs them one at a time.
     */
    public static final String SUSPECT_QUEUE_SUFFIX = ".suspect";

    /**
     * Prefix of the queues where tasks of a type with a global rate limit wait for their turn, one per task type:
     * {@code celeriac.ratelimit.<task>}, and of the baton queue whose active consumer is the one worker of the fleet
     * that releases them, {@code celeriac.ratelimit.<task>.releaser}.
     */
    public static final String RATE_LIMIT_PREFIX = "celeriac.ratelimit.";

    /**
     * Suffix of the baton queue (single active consumer) whose baton holder releases the waiting tasks of a type with
     * a global rate limit.
     */
    public static final String RATE_LIMIT_RELEASER_SUFFIX = ".releaser";

    private TopologyNames() {}

    /** Returns the queue where tasks of the given type wait for their turn under a global rate limit. */
    public static String rateLimitQueue(String task) {
        return RATE_LIMIT_PREFIX + task;
    }

    /** Returns the baton queue of the one worker that releases the waiting tasks of the given type. */
    public static String rateLimitReleaser(String task) {
        return RATE_LIMIT_PREFIX + task + RATE_LIMIT_RELEASER_SUFFIX;
    }

    /** Returns the quarantine of the given work queue. */
    public static String suspectQueue(String workQueue) {
        return workQueue + SUSPECT_QUEUE_SUFFIX;
    }

    /** Returns the dead-letter queue of the given work queue. */
    public static String deadLetterQueue(String workQueue) {
        return workQueue + DEAD_LETTER_QUEUE_SUFFIX;
    }

    /** Returns the control queue of the node with the given name, as a Celery worker names its own. */
    public static String controlQueue(String hostname) {
        return hostname + CONTROL_QUEUE_SUFFIX;
    }

    /** Returns the exchange and queue name of the delay tier with the given label, e.g. {@code 5s}. */
    public static String delayTier(String label) {
        return DELAY_PREFIX + label;
    }
}
