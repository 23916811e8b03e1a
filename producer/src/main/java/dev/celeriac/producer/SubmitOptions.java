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
        return toBuilder().queue(value).build();
    }

    public SubmitOptions withPriority(Integer value) {
        return toBuilder().priority(value).build();
    }

    public SubmitOptions withCountdown(Duration value) {
        return toBuilder().countdown(value).build();
    }

    public SubmitOptions withEta(Instant value) {
        return toBuilder().eta(value).build();
    }

    public SubmitOptions withExpires(Instant value) {
        return toBuilder().expires(value).build();
    }

    public SubmitOptions withMaxRetries(Integer value) {
        return toBuilder().maxRetries(value).build();
    }

    public SubmitOptions withReplyTo(String value) {
        return toBuilder().replyTo(value).build();
    }

    public SubmitOptions withParent(String parent, String root) {
        return toBuilder().parentId(parent).rootId(root).build();
    }

    public SubmitOptions withTaskId(String value) {
        return toBuilder().taskId(value).build();
    }

    public SubmitOptions withTimeLimit(TimeLimit value) {
        return toBuilder().timeLimit(value).build();
    }

    public SubmitOptions withIgnoreResult(boolean value) {
        return toBuilder().ignoreResult(value).build();
    }

    private Builder toBuilder() {
        var b = new Builder();
        b.queue = queue;
        b.priority = priority;
        b.countdown = countdown;
        b.eta = eta;
        b.expires = expires;
        b.maxRetries = maxRetries;
        b.replyTo = replyTo;
        b.parentId = parentId;
        b.rootId = rootId;
        b.taskId = taskId;
        b.timeLimit = timeLimit;
        b.ignoreResult = ignoreResult;
        return b;
    }

    /** Copies options with one or two of them changed; the record's constructor validates the result. */
    private static final class Builder {
        private String queue;
        private Integer priority;
        private Duration countdown;
        private Instant eta;
        private Instant expires;
        private Integer maxRetries;
        private String replyTo;
        private String parentId;
        private String rootId;
        private String taskId;
        private TimeLimit timeLimit;
        private boolean ignoreResult;

        Builder queue(String value) {
            queue = value;
            return this;
        }

        Builder priority(Integer value) {
            priority = value;
            return this;
        }

        Builder countdown(Duration value) {
            countdown = value;
            return this;
        }

        Builder eta(Instant value) {
            eta = value;
            return this;
        }

        Builder expires(Instant value) {
            expires = value;
            return this;
        }

        Builder maxRetries(Integer value) {
            maxRetries = value;
            return this;
        }

        Builder replyTo(String value) {
            replyTo = value;
            return this;
        }

        Builder parentId(String value) {
            parentId = value;
            return this;
        }

        Builder rootId(String value) {
            rootId = value;
            return this;
        }

        Builder taskId(String value) {
            taskId = value;
            return this;
        }

        Builder timeLimit(TimeLimit value) {
            timeLimit = value;
            return this;
        }

        Builder ignoreResult(boolean value) {
            ignoreResult = value;
            return this;
        }

        SubmitOptions build() {
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
                    ignoreResult);
        }
    }
}
