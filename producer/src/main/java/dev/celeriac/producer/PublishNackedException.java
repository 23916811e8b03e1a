package dev.celeriac.producer;

/**
 * The broker refused the task (a negative confirm): its queue is full ({@code x-max-length} with
 * {@code reject-publish}) or the broker could not store it. Retry later.
 */
public final class PublishNackedException extends TaskPublishException {

    public PublishNackedException(String taskId, String queue, String reason) {
        super(
                taskId,
                "the broker refused task " + taskId + " for queue '" + queue + "'"
                        + (reason == null || reason.isBlank() ? "" : " (" + reason + ")")
                        + ": the queue is full or the broker cannot store it now",
                null);
    }

    @Override
    public boolean isTransient() {
        return true;
    }
}
