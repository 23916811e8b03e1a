package dev.celeriac.producer;

/** The task could not be sent because the connection or channel to the broker failed. */
public final class PublishConnectionException extends TaskPublishException {

    public PublishConnectionException(String taskId, Throwable cause) {
        super(taskId, "could not send task " + taskId + " to the broker: " + cause.getMessage(), cause);
    }

    @Override
    public boolean isTransient() {
        return true;
    }
}
