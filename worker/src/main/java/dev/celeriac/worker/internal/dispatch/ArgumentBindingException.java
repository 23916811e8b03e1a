package dev.celeriac.worker.internal.dispatch;

import dev.celeriac.worker.internal.retry.InvalidTaskCallException;

/** A message's arguments do not fit the task's parameters. No retry can fix that: the message is dead-lettered. */
public final class ArgumentBindingException extends InvalidTaskCallException {

    public ArgumentBindingException(String message) {
        super(message, null);
    }

    public ArgumentBindingException(String message, Throwable cause) {
        super(message, cause);
    }
}
