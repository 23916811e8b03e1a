package dev.celeriac.worker.internal.retry;

import dev.celeriac.producer.amqp.AmqpTaskMessages;
import dev.celeriac.producer.amqp.ConfirmedPublisher;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.message.TaskMessageCodec;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.protocol.topology.DelayLadder;
import dev.celeriac.protocol.topology.DelayTier;
import java.time.Duration;
import org.springframework.amqp.core.Message;

/**
 * Sends a task round the delay ladder, confirmed: the broker holds it in the tier for its delay and dead-letters it
 * back to its work queue when the tier's time is up, so no worker holds a waiting task. The caller acks the delivery
 * it replaces only after this returns.
 */
public final class DelayPublisher {

    private final ConfirmedPublisher publisher;
    private final TaskMessageCodec codec;
    private final DelayLadder ladder;
    private final Duration timeout;

    public DelayPublisher(ConfirmedPublisher publisher, TaskMessageCodec codec, DelayLadder ladder, Duration timeout) {
        this.publisher = publisher;
        this.codec = codec;
        this.ladder = ladder;
        this.timeout = timeout;
    }

    /**
     * Publishes the next attempt of a task: into the tier for {@code delay}, or straight to its queue when there is
     * none.
     *
     * @throws dev.celeriac.producer.TaskPublishException if the broker did not take it
     */
    public void retry(TaskMessage next, String queue, Duration delay) {
        DelayTier tier = ladder.tierFor(delay).orElse(null);
        String exchange = tier == null ? TopologyNames.TASK_EXCHANGE : tier.name();
        publisher.sendAndWait(
                next.id(), exchange, queue, queue, AmqpTaskMessages.toMessage(codec.encode(next)), timeout);
    }

    /**
     * Sends a message that is not due yet once more round the ladder, unchanged, headers and all, into the tier for
     * the time that remains.
     *
     * @throws dev.celeriac.producer.TaskPublishException if the broker did not take it
     */
    public void defer(String id, Message message, String queue, Duration remaining) {
        DelayTier tier = ladder.tierFor(remaining).orElseThrow();
        publisher.sendAndWait(id, tier.name(), queue, queue, message, timeout);
    }
}
