package dev.celeriac.producer;

/** The broker returned the task as unroutable: no queue of that name is bound. Sending again will not help. */
public final class PublishReturnedException extends TaskPublishException {

    private final int replyCode;

    public PublishReturnedException(String taskId, String queue, int replyCode, String replyText) {
        super(
                taskId,
                "task " + taskId + " could not be routed to queue '" + queue + "' (" + replyCode + " " + replyText
                        + "): the queue does not exist; declare it in celeriac.topology.queues",
                null);
        this.replyCode = replyCode;
    }

    /** The AMQP reply code, 312 (NO_ROUTE) for a missing queue. */
    public int replyCode() {
        return replyCode;
    }

    @Override
    public boolean isTransient() {
        return false;
    }
}
