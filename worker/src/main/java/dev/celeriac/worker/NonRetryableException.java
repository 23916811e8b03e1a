package dev.celeriac.worker;

/** Thrown by a task whose failure no retry can fix (bad input, a missing record): it is dead-lettered at once. */
public class NonRetryableException extends RuntimeException {

    public NonRetryableException(String message) {
        super(message);
    }

    public NonRetryableException(String message, Throwable cause) {
        super(message, cause);
    }
}
