package dev.celeriac.producer;

import dev.celeriac.protocol.message.TimeLimit;
import dev.celeriac.protocol.names.NameRules;
import dev.celeriac.protocol.names.WireFormat;
import java.time.Duration;
import java.time.Instant;

/**
 * How to send one task. Every option is optional; {@link #defaults()} sends to the client's default queue at once.
 *
 * @param queue work queue, or {@code null} for the client's default queue
 * @param priority 0 (lowest) to 9, or {@code null}; honoured by priority queues only
 * @param countdown run no earlier than this long after sending, or {@code null}
 * @param eta run no earlier than this time, or {@code null}; not together with {@code countdown}
 * @param expires do not run after this time (the task is recorded revoked), or {@code null}
 * @param maxRetries retries allowed for this task, overriding the task's own policy, or {@code null}
 * @param replyTo queue to send the result to (Celery's rpc backend), or {@code null}
 * @param parentId id of the task that sends this one, or {@code null}
 * @param rootId id of the first task of the workflow, or {@code null} for this task's own id
 * @param taskId the id to give the task, or {@code null} for a random UUID; reusing an id makes resending safe
 * @param timeLimit soft and hard time limits, or {@code null} for the task's own
 * @param ignoreResult whether no result should be kept or replied
 */
public record SubmitOptions(
        String queue,
        Integer priority,
        Duration countdown,
        Instant eta,
        Instant expires,
        Integer maxRetries,
        String replyTo,
        String parentId,
        String rootId,
        String taskId,
        TimeLimit timeLimit,
        boolean ignoreResult) {

    private static final SubmitOptions DEFAULTS =
            new SubmitOptions(null, null, null, null, null, null, null, null, null, null, null, false);

    public SubmitOptions {
        if (queue != null) {
            String problem = NameRules.problem("queue name", queue);
            if (problem != null) {
                throw new IllegalArgumentException(problem + ": '" + queue + "'");
            }
        }
        if (priority != null && (priority < 0 || priority > WireFormat.MAX_PRIORITY)) {
            throw new IllegalArgumentException(
                    "priority must be 0 to " + WireFormat.MAX_PRIORITY + ", was " + priority);
        }
        if (countdown != null && countdown.isNegative()) {
            throw new IllegalArgumentException("countdown must not be negative, was " + countdown);
        }
        if (countdown != null && eta != null) {
            throw new IllegalArgumentException("give countdown or eta, not both");
        }
        if (maxRetries != null && maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must not be negative, was " + maxRetries);
        }
        if (taskId != null && (taskId.isBlank() || taskId.length() > 255)) {
            throw new IllegalArgumentException("taskId must be 1 to 255 characters and not blank");
        }
    }

    /** Send to the default queue, at once, with the task's own retry policy and time limits. */
    public static SubmitOptions defaults() {
        return DEFAULTS;
    }

    public SubmitOptions withQueue(String value) {
        return new SubmitOptions(
                value,
                priority,
                countdown,
                eta,
                expires,
                maxRetries,
                replyTo,
                parentId,
                rootId,
                taskId,
                timeLimit,
                ignoreResult);
    }

    public SubmitOptions withPriority(Integer value) {
        return new SubmitOptions(
                queue,
                value,
                countdown,
                eta,
                expires,
                maxRetries,
                replyTo,
                parentId,
                rootId,
                taskId,
                timeLimit,
                ignoreResult);
    }

    public SubmitOptions withCountdown(Duration value) {
        return new SubmitOptions(
                queue,
                priority,
                value,
                eta,
                expires,
                maxRetries,
                replyTo,
                parentId,
                rootId,
                taskId,
                timeLimit,
                ignoreResult);
    }

    public SubmitOptions withEta(Instant value) {
        return new SubmitOptions(
                queue,
                priority,
                countdown,
                value,
                expires,
                maxRetries,
                replyTo,
                parentId,
                rootId,
                taskId,
                timeLimit,
                ignoreResult);
    }

    public SubmitOptions withExpires(Instant value) {
        return new SubmitOptions(
                queue,
                priority,
                countdown,
                eta,
                value,
                maxRetries,
                replyTo,
                parentId,
                rootId,
                taskId,
                timeLimit,
                ignoreResult);
    }

    public SubmitOptions withMaxRetries(Integer value) {
        return new SubmitOptions(
                queue,
                priority,
                countdown,
                eta,
                expires,
                value,
                replyTo,
                parentId,
                rootId,
                taskId,
                timeLimit,
                ignoreResult);
    }

    public SubmitOptions withReplyTo(String value) {
        return new SubmitOptions(
                queue,
                priority,
                countdown,
                eta,
                expires,
                maxRetries,
                value,
                parentId,
                rootId,
                taskId,
                timeLimit,
                ignoreResult);
    }

    public SubmitOptions withParent(String parent, String root) {
        return new SubmitOptions(
                queue,
                priority,
                countdown,
                eta,
                expires,
                maxRetries,
                replyTo,
                parent,
                root,
                taskId,
                timeLimit,
                ignoreResult);
    }

    public SubmitOptions withTaskId(String value) {
        return new SubmitOptions(
                queue,
                priority,
                countdown,
                eta,
                expires,
                maxRetries,
                replyTo,
                parentId,
                rootId,
                value,
                timeLimit,
                ignoreResult);
    }

    public SubmitOptions withTimeLimit(TimeLimit value) {
        return new SubmitOptions(
                queue,
                priority,
                countdown,
                eta,
                expires,
                maxRetries,
                replyTo,
                parentId,
                rootId,
                taskId,
                value,
                ignoreResult);
    }

    public SubmitOptions withIgnoreResult(boolean value) {
        return new SubmitOptions(
                queue,
                priority,
                countdown,
                eta,
                expires,
                maxRetries,
                replyTo,
                parentId,
                rootId,
                taskId,
                timeLimit,
                value);
    }
}
