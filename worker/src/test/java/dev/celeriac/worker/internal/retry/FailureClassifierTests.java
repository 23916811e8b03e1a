package dev.celeriac.worker.internal.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.worker.NonRetryableException;
import dev.celeriac.worker.RetryLater;
import dev.celeriac.worker.internal.deadletter.DeadLetterReason;
import dev.celeriac.worker.internal.dispatch.ArgumentBindingException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FailureClassifierTests {

    private final FailureClassifier classifier = new FailureClassifier(new Random(7));
    private final RetryPolicy policy = new RetryPolicy(
            3, Duration.ofSeconds(1), Duration.ofMinutes(10), List.of(Exception.class), List.of(IOException.class));

    @Test
    void retriesARetryableFailureUntilTheLastAllowedAttempt() {
        assertThat(classifier.classify(new IllegalStateException(), policy, 0, null))
                .isInstanceOf(Decision.Retry.class);
        assertThat(classifier.classify(new IllegalStateException(), policy, 2, null))
                .isInstanceOf(Decision.Retry.class);
        assertThat(classifier.classify(new IllegalStateException(), policy, 3, null))
                .isEqualTo(new Decision.DeadLetter(DeadLetterReason.RETRIES_EXHAUSTED));
    }

    @Test
    void honoursTheMessagesOwnRetryLimit() {
        assertThat(classifier.classify(new IllegalStateException(), policy, 1, 1))
                .isEqualTo(new Decision.DeadLetter(DeadLetterReason.RETRIES_EXHAUSTED));
        assertThat(classifier.classify(new IllegalStateException(), policy, 4, 6))
                .isInstanceOf(Decision.Retry.class);
    }

    @Test
    void neverRetriesWhatThePolicyOrTheTaskRulesOut() {
        assertThat(classifier.classify(new IOException("disk"), policy, 0, null))
                .isEqualTo(new Decision.DeadLetter(DeadLetterReason.NOT_RETRYABLE));
        assertThat(classifier.classify(new NonRetryableException("no"), policy, 0, null))
                .isEqualTo(new Decision.DeadLetter(DeadLetterReason.NOT_RETRYABLE));
        assertThat(classifier.classify(new ArgumentBindingException("bad"), policy, 0, null))
                .isEqualTo(new Decision.DeadLetter(DeadLetterReason.BAD_ARGUMENTS));
        assertThat(classifier.classify(new StackOverflowError(), policy, 0, null))
                .isEqualTo(new Decision.DeadLetter(DeadLetterReason.NOT_RETRYABLE));
    }

    @Test
    void usesTheDelayATaskAsksFor() {
        assertThat(classifier.classify(new RetryLater(Duration.ofSeconds(42), "later"), policy, 0, null))
                .isEqualTo(new Decision.Retry(Duration.ofSeconds(42)));
    }

    @Test
    void backsOffExponentiallyWithJitterUpToTheCap() {
        var random = new Random(1);
        for (int retries = 0; retries < 20; retries++) {
            long expected = Math.min(600_000, 1_000L << Math.min(retries, 30));
            for (int i = 0; i < 200; i++) {
                long delay = policy.delayFor(retries, random).toMillis();
                assertThat(delay).as("retry %d", retries).isBetween(expected / 2, expected);
            }
        }
    }
}
