package dev.celeriac.worker.internal.consume;

import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.names.LogFields;
import org.slf4j.MDC;

/**
 * The task on every log line the current thread writes until this is closed: its id, name, attempt and queue in
 * SLF4J's MDC ({@link LogFields}). Set around a task's run, on the thread that runs it, and around its settle.
 */
final class TaskLogContext implements AutoCloseable {

    private TaskLogContext() {}

    static TaskLogContext of(TaskMessage task, String queue) {
        MDC.put(LogFields.TASK_ID, task.id());
        MDC.put(LogFields.TASK_NAME, task.task());
        MDC.put(LogFields.TASK_ATTEMPT, Integer.toString(task.headers().retries() + 1));
        MDC.put(LogFields.TASK_QUEUE, queue);
        return new TaskLogContext();
    }

    @Override
    public void close() {
        MDC.remove(LogFields.TASK_ID);
        MDC.remove(LogFields.TASK_NAME);
        MDC.remove(LogFields.TASK_ATTEMPT);
        MDC.remove(LogFields.TASK_QUEUE);
    }
}
