package dev.celeriac.worker.internal.retry;

import dev.celeriac.worker.internal.deadletter.DeadLetterReason;
import java.time.Duration;

/** What becomes of a failed attempt. */
public sealed interface Decision {

    /** Run the task again after the delay. */
    record Retry(Duration delay) implements Decision {}

    /** Give up: dead-letter the message. */
    record DeadLetter(DeadLetterReason reason) implements Decision {}
}
