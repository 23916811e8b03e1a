package dev.celeriac.worker.internal.retry;

import dev.celeriac.worker.NonRetryableException;
import dev.celeriac.worker.RetryLater;
import dev.celeriac.worker.internal.deadletter.DeadLetterReason;
import java.util.random.RandomGenerator;

/** Decides, in one place, whether a failed attempt is retried and after how long, or dead-lettered and why. */
public final class FailureClassifier {

    private final RandomGenerator random;

    public FailureClassifier(RandomGenerator random) {
        this.random = random;
    }

    /**
     * Classifies a failure.
     *
     * @param failure what the attempt threw
     * @param policy the task's retry policy
     * @param retries retries before this attempt
     * @param maxRetriesOverride the message's own retry limit, or {@code null}
     */
    public Decision classify(Throwable failure, RetryPolicy policy, int retries, Integer maxRetriesOverride) {
        int maxRetries = maxRetriesOverride != null ? maxRetriesOverride : policy.maxRetries();
        if (failure instanceof InvalidTaskCallException) {
            return new Decision.DeadLetter(DeadLetterReason.BAD_ARGUMENTS);
        }
        if (failure instanceof NonRetryableException) {
            return new Decision.DeadLetter(DeadLetterReason.NOT_RETRYABLE);
        }
        if (failure instanceof RetryLater later) {
            return retries < maxRetries
                    ? new Decision.Retry(later.delay())
                    : new Decision.DeadLetter(DeadLetterReason.RETRIES_EXHAUSTED);
        }
        if (!policy.retries(failure)) {
            return new Decision.DeadLetter(DeadLetterReason.NOT_RETRYABLE);
        }
        if (retries >= maxRetries) {
            return new Decision.DeadLetter(DeadLetterReason.RETRIES_EXHAUSTED);
        }
        return new Decision.Retry(policy.delayFor(retries, random));
    }
}
