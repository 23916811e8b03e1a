package dev.celeriac.worker.internal.retry;

/**
 * A task could not be called with a message, or its result could not be written: the message itself is wrong, so it
 * is dead-lettered at once as {@code bad-arguments}.
 */
public abstract class InvalidTaskCallException extends RuntimeException {

    protected InvalidTaskCallException(String message, Throwable cause) {
        super(message, cause);
    }
}
