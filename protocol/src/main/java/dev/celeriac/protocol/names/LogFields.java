package dev.celeriac.protocol.names;

/**
 * Keys of the diagnostic context (SLF4J's MDC) a worker sets while a task runs and while its outcome settles, so that
 * every log line written then says which task it is about. They are Celery's own names in its task log format
 * ({@code %(task_name)s[%(task_id)s]}); structured logs (JSON) carry them as fields.
 */
public final class LogFields {

    /** The task's id. */
    public static final String TASK_ID = "task_id";

    /** The task's name. */
    public static final String TASK_NAME = "task_name";

    /** The attempt, 1 on the first run and one more on each retry. */
    public static final String TASK_ATTEMPT = "task_attempt";

    /** The work queue it came from. */
    public static final String TASK_QUEUE = "task_queue";

    private LogFields() {}
}
