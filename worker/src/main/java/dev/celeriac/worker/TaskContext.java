package dev.celeriac.worker;

import java.util.Map;

/** What a running task may know about itself. Declare a parameter of this type to receive it. */
public interface TaskContext {

    /** The task id. */
    String id();

    /** The task name. */
    String name();

    /** The queue it was taken from. */
    String queue();

    /** How many times it was retried before this attempt (0 on the first attempt). */
    int retries();

    /** The attempt number, 1 on the first attempt. */
    default int attempt() {
        return retries() + 1;
    }

    /** The message headers as they arrived. */
    Map<String, Object> headers();

    /**
     * Whether the task was revoked while it runs. A long task should check this at safe points and stop; a revoke with
     * terminate also interrupts its thread.
     */
    boolean isRevoked();

    /**
     * Reports how far the task is, e.g. {@code Map.of("done", 40, "total", 100)}: it is written as JSON and sent as a
     * {@code task-progress} event, which the ledger keeps as the task's latest progress. Sending does not wait for
     * the broker, so a task may report often.
     *
     * @throws IllegalArgumentException if the progress cannot be written as JSON
     */
    void reportProgress(Object progress);
}
