package dev.celeriac.producer;

import java.time.Duration;

/**
 * The broker did not confirm the task in time (e.g. it is blocked by a memory or disk alarm). The task may or may not
 * be stored; send it again with the same task id.
 */
public final class PublishTimeoutException extends TaskPublishException {

    public PublishTimeoutException(String taskId, Duration timeout) {
        super(
                taskId,
                "the broker did not confirm task " + taskId + " within " + timeout.toMillis()
                        + " ms; it may be blocked by a resource alarm. Resend with the same task id",
                null);
    }

    @Override
    public boolean isTransient() {
        return true;
    }
}
