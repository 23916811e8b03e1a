package dev.celeriac.worker.consume;

import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.worker.deadletter.DeadLetterReason;
import dev.celeriac.worker.dispatch.TaskDefinition;
import java.time.Duration;
import java.time.Instant;

/** What the {@link Gate} decided a delivery is for, before any pool slot is taken. */
sealed interface Admission {

    /** Run it here: it is known, current, not revoked and due. */
    record Run(TaskMessage task, TaskDefinition definition, Instant admittedAt) implements Admission {}

    /** Not due yet: once more round the delay ladder, for the time that remains. */
    record Defer(TaskMessage task, Duration remaining) implements Admission {}

    /**
     * Delivered before and never settled (its worker crashed, or handed it back): to its queue's quarantine, where it
     * runs alone, so that if it is what crashed a worker it crashes no other task with it.
     */
    record Quarantine() implements Admission {}

    /**
     * It can run nowhere: dead-lettered at once.
     *
     * @param id the task id, or the message's correlation id when it could not be decoded
     * @param name the task name, or {@code (malformed)}
     * @param task the decoded message, or {@code null} when it could not be decoded
     */
    record Reject(String id, String name, TaskMessage task, DeadLetterReason reason, String detail)
            implements Admission {}

    /**
     * Its task type's rate limit is reached on this worker: once round the delay ladder, for at least {@code delay},
     * holding neither a slot nor a prefetch place meanwhile.
     */
    record Throttle(TaskMessage task, Duration delay) implements Admission {}

    /** Not to run: revoked, or past its {@code expires} time. */
    record Drop(TaskMessage task, Revocation why) implements Admission {}
}
