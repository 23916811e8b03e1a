package dev.celeriac.worker.internal.consume;

import dev.celeriac.producer.amqp.AmqpTaskMessages;
import dev.celeriac.protocol.message.MalformedMessageException;
import dev.celeriac.protocol.message.TaskHeaders;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.message.TaskMessageCodec;
import dev.celeriac.worker.internal.control.Revocations;
import dev.celeriac.worker.internal.deadletter.DeadLetterReason;
import dev.celeriac.worker.internal.dispatch.TaskDefinition;
import dev.celeriac.worker.internal.dispatch.TaskRegistry;
import dev.celeriac.worker.internal.workflow.Continuations;
import dev.celeriac.worker.ratelimit.GlobalRateLimits;
import dev.celeriac.worker.ratelimit.Parking;
import dev.celeriac.worker.ratelimit.RateLimiter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.amqp.core.Message;

/**
 * The first step of a delivery: decides from the message alone, in this order, whether it goes to its queue's
 * quarantine (delivered before and never settled), is dead-lettered (malformed, or no such task here), is dropped
 * (expired, revoked), waits (due later, its task type's turn under the fleet's global rate limit not come, or its
 * rate limit on this worker reached) or runs.
 */
final class Gate {

    /** The name a malformed message is dead-lettered under. */
    static final String MALFORMED = "(malformed)";

    private final TaskMessageCodec codec;
    private final TaskRegistry registry;
    private final Revocations revocations;
    private final RateLimiter limiter;
    private final GlobalRateLimits globalLimits;
    private final Continuations continuations;
    private final Clock clock;
    private final String worker;

    Gate(
            TaskMessageCodec codec,
            TaskRegistry registry,
            Revocations revocations,
            RateLimiter limiter,
            GlobalRateLimits globalLimits,
            Continuations continuations,
            Clock clock,
            String worker) {
        this.codec = codec;
        this.registry = registry;
        this.revocations = revocations;
        this.limiter = limiter;
        this.globalLimits = globalLimits;
        this.continuations = continuations;
        this.clock = clock;
        this.worker = worker;
    }

    /**
     * @param quarantined whether the message was taken from its queue's quarantine, where a task runs whatever its
     *     history
     */
    Admission admit(Message message, boolean quarantined) {
        if (!quarantined && Boolean.TRUE.equals(message.getMessageProperties().getRedelivered())) {
            return new Admission.Settle(new Outcome.Quarantined());
        }
        TaskMessage task;
        try {
            task = AmqpTaskMessages.decode(codec, message);
        } catch (MalformedMessageException e) {
            return new Admission.Settle(new Outcome.Rejected(
                    String.valueOf(message.getMessageProperties().getCorrelationId()),
                    MALFORMED,
                    null,
                    DeadLetterReason.MALFORMED,
                    e.reason().wireName() + ": " + e.getMessage()));
        }
        TaskDefinition definition = registry.find(task.task());
        if (definition == null) {
            return new Admission.Settle(new Outcome.Rejected(
                    task.id(),
                    task.task(),
                    task,
                    DeadLetterReason.UNKNOWN_TASK,
                    "no task '" + task.task() + "' is registered on worker " + worker));
        }
        String workflow = continuations.problem(task);
        if (workflow != null) {
            return new Admission.Settle(new Outcome.Rejected(
                    task.id(), task.task(), task, DeadLetterReason.UNSUPPORTED_WORKFLOW, workflow));
        }
        Instant now = clock.instant();
        TaskHeaders headers = task.headers();
        if (headers.expires() != null && !now.isBefore(headers.expires())) {
            return new Admission.Settle(new Outcome.Revoked(task, Revocation.EXPIRED, null));
        }
        if (revocations.isRevoked(task.id())) {
            return new Admission.Settle(new Outcome.Revoked(task, Revocation.REVOKED, null));
        }
        if (headers.eta() != null && headers.eta().isAfter(now)) {
            return new Admission.Settle(new Outcome.Deferred(task, Duration.between(now, headers.eta())));
        }
        if (globalLimits.of(task.task(), definition.globalRateLimit()).limits() && !Parking.released(message)) {
            return new Admission.Settle(new Outcome.Parked(task));
        }
        Duration wait = limiter.admit(task.task(), definition.rateLimit());
        if (!wait.isZero()) {
            return new Admission.Settle(new Outcome.Throttled(task, wait));
        }
        return new Admission.Run(task, definition, now);
    }
}
