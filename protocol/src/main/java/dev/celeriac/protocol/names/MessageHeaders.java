package dev.celeriac.protocol.names;

/**
 * AMQP header names carried by task messages: Celery's protocol v2 headers, the failure headers Celeriac adds
 * when it dead-letters a message, and the headers RabbitMQ itself sets.
 */
public final class MessageHeaders {

    /** Language of the producer; Celery writes {@code py}. */
    public static final String LANG = "lang";
    /** Registered task name, e.g. {@code demo.add}. */
    public static final String TASK = "task";
    /** Task id; also the message's {@code correlation_id}. */
    public static final String ID = "id";
    /** Id of the first task of the workflow this task belongs to. */
    public static final String ROOT_ID = "root_id";
    /** Id of the task that sent this one. */
    public static final String PARENT_ID = "parent_id";
    /** Id of the group this task is part of. */
    public static final String GROUP = "group";
    /** Position of this task in its group. */
    public static final String GROUP_INDEX = "group_index";
    /** How many times this task was retried before this delivery. */
    public static final String RETRIES = "retries";
    /** Earliest time to run the task, ISO-8601. */
    public static final String ETA = "eta";
    /** Time after which the task must not run, ISO-8601. */
    public static final String EXPIRES = "expires";
    /** {@code [hard, soft]} time limits in seconds (this order, as Celery writes them), each may be null. */
    public static final String TIMELIMIT = "timelimit";
    /** Printable form of the positional arguments, for logs and monitors. */
    public static final String ARGSREPR = "argsrepr";
    /** Printable form of the keyword arguments, for logs and monitors. */
    public static final String KWARGSREPR = "kwargsrepr";
    /** Node that sent the task, {@code name@host}. */
    public static final String ORIGIN = "origin";
    /** Whether the sender does not want a result stored or replied. */
    public static final String IGNORE_RESULT = "ignore_result";
    /** Name to show in logs instead of the task name. */
    public static final String SHADOW = "shadow";

    /** Header of a remote control reply: the ticket of the command it answers. */
    public static final String CONTROL_TICKET = "ticket";
    /** Header of remote control messages: the sender's Lamport clock. */
    public static final String CONTROL_CLOCK = "clock";
    /** Header of a remote control command: when (epoch seconds) it is stale and to be ignored; 0 for never. */
    public static final String CONTROL_EXPIRES = "expires";

    /** Retries allowed for this task, overriding the task's own policy (Celeriac producers set it on request). */
    public static final String MAX_RETRIES = "x-celeriac-max-retries";

    /** Exception class name of the failure that dead-lettered the message. */
    public static final String FAILURE_EXCEPTION = "x-celeriac-exception";
    /** Exception message of that failure. */
    public static final String FAILURE_MESSAGE = "x-celeriac-exception-message";
    /** Truncated stack trace of that failure. */
    public static final String FAILURE_TRACEBACK = "x-celeriac-traceback";
    /** Why the message was dead-lettered, one of {@code DeadLetterReason}'s wire names. */
    public static final String FAILURE_REASON = "x-celeriac-reason";
    /** Work queue the message was taken from. */
    public static final String FAILURE_ORIGINAL_QUEUE = "x-celeriac-original-queue";
    /** How many attempts ran before the message was dead-lettered. */
    public static final String FAILURE_ATTEMPTS = "x-celeriac-attempts";
    /** Worker that dead-lettered the message. */
    public static final String FAILURE_WORKER = "x-celeriac-worker";
    /** When the message was dead-lettered, ISO-8601. */
    public static final String FAILURE_TIME = "x-celeriac-failed-at";

    /**
     * Set by the API when it replays a dead letter: how many times this task was replayed. A task is dead-lettered
     * once per replay; copies of the same one (from a worker that died before acking) are dropped.
     */
    public static final String REPLAY = "x-celeriac-replay";

    /**
     * Set by a worker that parks a task under its type's global rate limit: the work queue the task goes back to when
     * its turn comes.
     */
    public static final String RATE_LIMIT_QUEUE = "x-celeriac-rate-limit-queue";
    /**
     * Set by the worker that releases a parked task, to when it released it (ISO-8601): the task has had its turn
     * under the global rate limit and runs without waiting again.
     */
    public static final String RATE_LIMIT_RELEASED = "x-celeriac-rate-limit-released";

    /**
     * W3C trace context of the span that published the task, where Celery's OpenTelemetry instrumentation carries it:
     * the worker's run of the task is a child of it.
     */
    public static final String TRACEPARENT = "traceparent";
    /** W3C trace state that goes with {@link #TRACEPARENT}. */
    public static final String TRACESTATE = "tracestate";

    /** Set by quorum queues on redelivery: how often the message was delivered before. */
    public static final String DELIVERY_COUNT = "x-delivery-count";
    /** Set by a worker that quarantines a task: deliveries of it that ended without a settle (a crash, a hand-back). */
    public static final String UNSETTLED_DELIVERIES = "x-celeriac-unsettled-deliveries";
    /** Set by RabbitMQ when it dead-letters a message: one entry per queue and reason. */
    public static final String DEATH = "x-death";
    /** Set by RabbitMQ: reason of the first dead-lettering. */
    public static final String FIRST_DEATH_REASON = "x-first-death-reason";
    /** Set by RabbitMQ: queue of the first dead-lettering. */
    public static final String FIRST_DEATH_QUEUE = "x-first-death-queue";

    private MessageHeaders() {}
}
