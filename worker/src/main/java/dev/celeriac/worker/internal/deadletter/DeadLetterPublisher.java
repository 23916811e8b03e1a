package dev.celeriac.worker.internal.deadletter;

import dev.celeriac.producer.amqp.ConfirmedPublisher;
import dev.celeriac.protocol.message.CeleryTimes;
import dev.celeriac.protocol.names.MessageHeaders;
import dev.celeriac.protocol.names.TopologyNames;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;

/**
 * Publishes a failed message to its work queue's dead-letter queue, confirmed, with its body and headers unchanged and
 * {@code x-celeriac-*} headers that say why: reason, exception type and message, a truncated stack trace, original
 * queue, attempts, worker and time. The caller acks the original only after this returns.
 */
public final class DeadLetterPublisher {

    /** Longest stack trace kept in a header. */
    static final int TRACEBACK_LIMIT = 8 * 1024;

    private final ConfirmedPublisher publisher;
    private final String worker;
    private final Duration timeout;
    private final Clock clock;

    public DeadLetterPublisher(ConfirmedPublisher publisher, String worker, Duration timeout, Clock clock) {
        this.publisher = publisher;
        this.worker = worker;
        this.timeout = timeout;
        this.clock = clock;
    }

    /**
     * Dead-letters a message and waits for the broker's confirm.
     *
     * @param id the task id, or a placeholder when the message has none
     * @param original the message as it was received
     * @param queue the work queue it came from
     * @param reason why
     * @param failure the exception, or {@code null}
     * @param detail a message for when there is no exception, or {@code null}
     * @param attempts attempts that ran (0 if none did)
     * @throws dev.celeriac.producer.TaskPublishException if the broker did not take it
     */
    public void publish(
            String id,
            Message original,
            String queue,
            DeadLetterReason reason,
            Throwable failure,
            String detail,
            int attempts) {
        MessageProperties in = original.getMessageProperties();
        var out = new MessageProperties();
        out.setContentType(in.getContentType());
        out.setContentEncoding(in.getContentEncoding());
        out.setCorrelationId(in.getCorrelationId());
        out.setReplyTo(in.getReplyTo());
        out.setPriority(in.getPriority());
        out.setTimestamp(in.getTimestamp());
        // No expiration: a dead letter waits until someone looks at it.
        out.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        in.getHeaders().forEach(out::setHeader);
        out.setHeader(MessageHeaders.FAILURE_REASON, reason.wireName());
        out.setHeader(
                MessageHeaders.FAILURE_EXCEPTION,
                failure == null ? null : failure.getClass().getName());
        out.setHeader(MessageHeaders.FAILURE_MESSAGE, failure == null ? detail : String.valueOf(failure.getMessage()));
        out.setHeader(MessageHeaders.FAILURE_TRACEBACK, failure == null ? null : traceback(failure));
        out.setHeader(MessageHeaders.FAILURE_ORIGINAL_QUEUE, queue);
        out.setHeader(MessageHeaders.FAILURE_ATTEMPTS, attempts);
        out.setHeader(MessageHeaders.FAILURE_WORKER, worker);
        out.setHeader(MessageHeaders.FAILURE_TIME, CeleryTimes.format(clock.instant()));
        publisher.sendAndWait(
                id,
                TopologyNames.DEAD_LETTER_EXCHANGE,
                queue,
                TopologyNames.deadLetterQueue(queue),
                new Message(original.getBody(), out),
                timeout);
    }

    /** The stack trace as text, cut to {@value #TRACEBACK_LIMIT} characters. */
    public static String traceback(Throwable failure) {
        var text = new StringWriter();
        failure.printStackTrace(new PrintWriter(text));
        String trace = text.toString();
        return trace.length() <= TRACEBACK_LIMIT ? trace : trace.substring(0, TRACEBACK_LIMIT) + "\n... (truncated)";
    }
}
