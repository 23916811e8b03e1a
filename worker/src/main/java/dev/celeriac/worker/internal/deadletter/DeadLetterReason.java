package dev.celeriac.worker.internal.deadletter;

import java.util.Locale;

/** Why a worker dead-lettered a message; the wire name goes in the {@code x-celeriac-reason} header. */
public enum DeadLetterReason {
    /** The task failed on its last allowed attempt. */
    RETRIES_EXHAUSTED,
    /** The task failed with an exception its policy never retries. */
    NOT_RETRYABLE,
    /** The message's arguments do not fit the task's parameters. */
    BAD_ARGUMENTS,
    /** No task of that name is registered on this worker. */
    UNKNOWN_TASK,
    /** The message is not a valid protocol v2 task message. */
    MALFORMED,
    /** The message's workflow holds a kind this worker cannot continue (a chord, Celery's chunks, ...). */
    UNSUPPORTED_WORKFLOW;

    /** E.g. {@code retries-exhausted}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
