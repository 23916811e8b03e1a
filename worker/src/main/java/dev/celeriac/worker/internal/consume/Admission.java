package dev.celeriac.worker.internal.consume;

import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.worker.internal.dispatch.TaskDefinition;
import java.time.Instant;

/** What the {@link Gate} decided a delivery is for, before any pool slot is taken. */
sealed interface Admission {

    /** Run it here: it is known, current, not revoked, due, and within its task type's rate limit. */
    record Run(TaskMessage task, TaskDefinition definition, Instant admittedAt) implements Admission {}

    /**
     * Not to run here now: settled at once with {@code outcome} (quarantined, rejected, revoked or expired, deferred
     * until it is due, or throttled by its rate limit).
     */
    record Settle(Outcome outcome) implements Admission {}
}
