package dev.celeriac.worker.internal.consume;

import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.worker.internal.deadletter.DeadLetterReason;
import java.time.Duration;
import tools.jackson.databind.JsonNode;

/**
 * What became of a delivery: the one thing the {@link Settler} takes, publishes (confirmed) and then acks. The
 * {@code runtime} of an outcome is {@code null} where the task never ran.
 */
sealed interface Outcome {

    /** The task ran and returned {@code result}. */
    record Success(TaskMessage task, JsonNode result, Duration runtime) implements Outcome {}

    /** The task ran and failed, and runs again: {@code next} is its next attempt, due after {@code delay}. */
    record Retry(TaskMessage task, TaskMessage next, Duration delay, Throwable failure, Duration runtime)
            implements Outcome {}

    /** The task ran and failed for good: dead-lettered. */
    record Failure(TaskMessage task, DeadLetterReason reason, Throwable failure, Duration runtime) implements Outcome {}

    /**
     * The message can run nowhere and never ran (malformed, or no such task here): dead-lettered.
     *
     * @param id the task id, or the message's correlation id when it could not be decoded
     * @param name the task name, or {@code (malformed)}
     * @param task the decoded message, or {@code null} when it could not be decoded
     */
    record Rejected(String id, String name, TaskMessage task, DeadLetterReason reason, String detail)
            implements Outcome {}

    /** Not run (revoked, expired) or stopped while it ran (terminated). */
    record Revoked(TaskMessage task, Revocation why, Duration runtime) implements Outcome {}

    /** Not due yet: once more round the delay ladder. */
    record Deferred(TaskMessage task, Duration remaining) implements Outcome {}

    /**
     * Its task type's rate limit is reached on this worker: round the delay ladder, for at least {@code delay},
     * holding neither a slot nor a prefetch place meanwhile.
     */
    record Throttled(TaskMessage task, Duration delay) implements Outcome {}

    /**
     * Its task type's global rate limit holds it until the fleet's turn: parked in the broker, holding neither a slot
     * nor a prefetch place meanwhile, until a releaser publishes it back to its queue.
     */
    record Parked(TaskMessage task) implements Outcome {}

    /**
     * Came back unsettled from an earlier delivery (its worker crashed, or handed it back): moved to its queue's
     * quarantine, where it runs alone, so that if it is what crashed a worker it crashes no other task with it.
     */
    record Quarantined() implements Outcome {}

    /**
     * Never started, because the worker is stopping: published again to where it came from (its queue, or its
     * quarantine). A nack would do the same, but it would mark the task redelivered and send it to the quarantine,
     * though it never ran.
     */
    record HandedBack(boolean fromQuarantine) implements Outcome {}
}
