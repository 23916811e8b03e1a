package dev.celeriac.worker.dispatch;

/** A message's arguments do not fit the task's parameters. No retry can fix that: the message is dead-lettered. */
public final class ArgumentBindingException extends RuntimeException {

    public ArgumentBindingException(String message) {
        super(message);
    }

    public ArgumentBindingException(String message, Throwable cause) {
        super(message, cause);
    }
}
