package dev.celeriac.protocol.names;

/** Field names of Celery event bodies. */
public final class EventFields {

    public static final String TYPE = "type";
    public static final String HOSTNAME = "hostname";
    public static final String TIMESTAMP = "timestamp";
    public static final String UTCOFFSET = "utcoffset";
    public static final String PID = "pid";
    public static final String CLOCK = "clock";
    public static final String UUID = "uuid";
    public static final String NAME = "name";
    public static final String ARGS = "args";
    public static final String KWARGS = "kwargs";
    public static final String RETRIES = "retries";
    public static final String ETA = "eta";
    public static final String EXPIRES = "expires";
    public static final String QUEUE = "queue";
    public static final String EXCHANGE = "exchange";
    public static final String ROUTING_KEY = "routing_key";
    public static final String ROOT_ID = "root_id";
    public static final String PARENT_ID = "parent_id";
    public static final String RESULT = "result";
    public static final String RUNTIME = "runtime";
    public static final String EXCEPTION = "exception";
    public static final String TRACEBACK = "traceback";
    public static final String TERMINATED = "terminated";
    public static final String SIGNUM = "signum";
    public static final String EXPIRED = "expired";
    public static final String REQUEUE = "requeue";
    /**
     * Celeriac adds it to every task event: how many times the API had replayed the task from a dead letter before the
     * run the event is about (the {@code x-celeriac-replay} header of its message, 0 if none), so that a replayed
     * run's events outrank the events of the runs before it.
     */
    public static final String REPLAY = "replay";
    /**
     * Celeriac adds it to task-failed, task-rejected and dead-letter events: why the task was dead-lettered (a
     * {@code DeadLetterReason}'s wire name, e.g. {@code retries-exhausted}).
     */
    public static final String REASON = "reason";
    /** Celeriac adds it to task-rejected: what was wrong with the message, in words. */
    public static final String DETAIL = "detail";
    /** Celeriac's task-progress event: what the task reported, as JSON text. */
    public static final String PROGRESS = "progress";

    public static final String FREQ = "freq";
    public static final String SW_IDENT = "sw_ident";
    public static final String SW_VER = "sw_ver";
    public static final String SW_SYS = "sw_sys";
    public static final String ACTIVE = "active";
    public static final String PROCESSED = "processed";
    public static final String LOADAVG = "loadavg";
    /** Celeriac worker detail: queues consumed. */
    public static final String WORKER_QUEUES = "queues";
    /** Celeriac worker detail: pool kind. */
    public static final String WORKER_POOL = "pool";
    /** Celeriac worker detail: pool slots. */
    public static final String WORKER_POOL_SIZE = "pool_size";
    /** Celeriac worker detail: registered task names. */
    public static final String WORKER_REGISTERED = "registered";

    private EventFields() {}

    /** Fields of Celeriac's {@code workflow-chord} event. */
    public static final String CHORD_ID = "chord_id";

    public static final String PARTS = "parts";
    public static final String BODY = "body";
    public static final String POLICY = "policy";
    /** The schedule a {@code schedule-declared} event declares. */
    public static final String SCHEDULE = "schedule";
}
