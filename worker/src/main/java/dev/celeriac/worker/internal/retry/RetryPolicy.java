package dev.celeriac.worker.internal.retry;

import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * When and how often a task is retried.
 *
 * @param maxRetries retries after the first attempt
 * @param backoff delay before the first retry; each later retry doubles it
 * @param maxBackoff longest delay
 * @param retryOn exceptions that are retried, with subclasses
 * @param noRetryOn exceptions never retried, even when {@code retryOn} matches
 */
public record RetryPolicy(
        int maxRetries,
        Duration backoff,
        Duration maxBackoff,
        List<Class<? extends Throwable>> retryOn,
        List<Class<? extends Throwable>> noRetryOn) {

    public RetryPolicy {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must not be negative, was " + maxRetries);
        }
        if (backoff.isNegative() || maxBackoff.compareTo(backoff) < 0) {
            throw new IllegalArgumentException(
                    "backoff must be positive and not above maxBackoff: " + backoff + ", " + maxBackoff);
        }
        retryOn = List.copyOf(retryOn);
        noRetryOn = List.copyOf(noRetryOn);
    }

    /**
     * The delay before retry number {@code retries + 1}: {@code backoff × 2^retries}, capped at {@code maxBackoff},
     * with "equal jitter" (between half of it and all of it), so that failed tasks spread out without ever
     * retrying at once.
     */
    public Duration delayFor(int retries, RandomGenerator random) {
        long base = backoff.toMillis();
        long cap = maxBackoff.toMillis();
        long exponential = retries >= 62 ? cap : Math.min(cap, base * (1L << Math.min(retries, 30)));
        long half = exponential / 2;
        return Duration.ofMillis(half + (half == 0 ? 0 : random.nextLong(exponential - half + 1)));
    }

    /** Whether the exception is retried by this policy (before counting retries). */
    public boolean retries(Throwable failure) {
        return noRetryOn.stream().noneMatch(type -> type.isInstance(failure))
                && retryOn.stream().anyMatch(type -> type.isInstance(failure));
    }
}
