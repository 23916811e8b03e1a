package dev.celeriac.protocol.message;

import dev.celeriac.protocol.names.WireFormat;

/**
 * The AMQP message properties of a task message.
 *
 * @param contentType the body's media type; Celeriac writes and reads {@code application/json}
 * @param contentEncoding the body's character encoding; {@code utf-8}
 * @param correlationId the task id, so that replies can be matched to it
 * @param replyTo queue to which a result reply is sent, or {@code null} when none is wanted
 * @param priority message priority (0 to 9), or {@code null} for none
 * @param persistent whether the broker writes the message to disk
 * @param expiration per-message TTL in milliseconds as set by Celery for {@code expires}, or {@code null}
 */
public record TaskProperties(
        String contentType,
        String contentEncoding,
        String correlationId,
        String replyTo,
        Integer priority,
        boolean persistent,
        String expiration) {

    /** Returns the properties Celeriac writes for the given task id: JSON, UTF-8, persistent. */
    public static TaskProperties forTask(String taskId) {
        return new TaskProperties(
                WireFormat.CONTENT_TYPE_JSON, WireFormat.CONTENT_ENCODING_UTF8, taskId, null, null, true, null);
    }

    /** Returns a copy with the given reply-to queue. */
    public TaskProperties withReplyTo(String queue) {
        return new TaskProperties(contentType, contentEncoding, correlationId, queue, priority, persistent, expiration);
    }

    /** Returns a copy with the given priority. */
    public TaskProperties withPriority(Integer value) {
        return new TaskProperties(contentType, contentEncoding, correlationId, replyTo, value, persistent, expiration);
    }
}
