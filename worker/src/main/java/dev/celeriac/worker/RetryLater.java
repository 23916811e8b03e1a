package dev.celeriac.worker;

import java.time.Duration;
import java.util.Objects;

/**
 * Thrown by a task to ask for another attempt after the given delay, whatever its retry-on settings say. The retry
 * still counts against the task's maximum; past it, the task is dead-lettered.
 */
public class RetryLater extends RuntimeException {

    private final Duration delay;

    public RetryLater(Duration delay, String reason) {
        super(reason);
        this.delay = Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("retry delay must not be negative, was " + delay);
        }
    }

    public RetryLater(Duration delay, String reason, Throwable cause) {
        this(delay, reason);
        initCause(cause);
    }

    /** How long to wait before the next attempt. */
    public Duration delay() {
        return delay;
    }
}
