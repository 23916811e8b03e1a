package dev.celeriac.worker;

import java.time.Duration;

/**
 * The attempt ran past its hard time limit: the worker abandoned it, freed its slot and handles this failure with the
 * task's retry policy.
 */
public class TimeLimitExceededException extends RuntimeException {

    public TimeLimitExceededException(String task, Duration limit) {
        super("task " + task + " exceeded its hard time limit of " + limit.toMillis() + " ms");
    }
}
