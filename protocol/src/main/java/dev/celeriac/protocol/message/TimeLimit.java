package dev.celeriac.protocol.message;

import java.time.Duration;

/**
 * Celery's {@code timelimit} header: a soft limit (the task is interrupted and may clean up) and a hard limit (the
 * task is abandoned and recorded as failed). Either may be absent. On the wire the header is {@code [hard, soft]}.
 *
 * @param soft soft limit, or {@code null}
 * @param hard hard limit, or {@code null}
 */
public record TimeLimit(Duration soft, Duration hard) {

    /** No limits. */
    public static final TimeLimit NONE = new TimeLimit(null, null);

    public TimeLimit {
        if (soft != null && (soft.isNegative() || soft.isZero())) {
            throw new IllegalArgumentException("soft time limit must be positive, was " + soft);
        }
        if (hard != null && (hard.isNegative() || hard.isZero())) {
            throw new IllegalArgumentException("hard time limit must be positive, was " + hard);
        }
    }

    /** Whether neither limit is set. */
    public boolean isNone() {
        return soft == null && hard == null;
    }
}
