package dev.celeriac.producer;

/**
 * The broker did not take a task. Nothing is half-sent: either the broker confirmed the task or one of these tells
 * why not. Only a {@link PublishTimeoutException} leaves it open whether the broker stored the task; resending with
 * the same task id is then safe, because workers and the ledger treat a task id once.
 */
public abstract sealed class TaskPublishException extends RuntimeException
        permits PublishNackedException,
                PublishReturnedException,
                PublishTimeoutException,
                PublishConnectionException,
                BatchPublishException {

    private final String taskId;

    protected TaskPublishException(String taskId, String message, Throwable cause) {
        super(message, cause);
        this.taskId = taskId;
    }

    /** Id of the task that was not taken (for a batch, of its first failure). */
    public String taskId() {
        return taskId;
    }

    /** Whether the same request may succeed if sent again later (overload, outage), as opposed to never. */
    public abstract boolean isTransient();
}
