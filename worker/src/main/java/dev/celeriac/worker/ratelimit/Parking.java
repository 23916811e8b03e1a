package dev.celeriac.worker.ratelimit;

import dev.celeriac.producer.amqp.ConfirmedPublisher;
import dev.celeriac.protocol.names.MessageHeaders;
import dev.celeriac.protocol.names.TopologyNames;
import java.time.Clock;
import java.time.Duration;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageBuilder;
import org.springframework.amqp.core.MessageBuilderSupport;

/**
 * The broker's side of a global rate limit: a task of a limited type is parked, confirmed, in its type's queue
 * ({@link TopologyNames#rateLimitQueue}) and acked, so it waits in the broker, holding no slot or prefetch place of
 * any worker; when its turn comes the fleet's one releaser publishes it back to its work queue, marked as released,
 * and it runs there like any other task.
 */
public final class Parking {

    private final ConfirmedPublisher publisher;
    private final Duration timeout;
    private final Clock clock;

    public Parking(ConfirmedPublisher publisher, Duration timeout, Clock clock) {
        this.publisher = publisher;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** Whether a delivered message has had its turn under its type's global rate limit. */
    public static boolean released(Message message) {
        return message.getMessageProperties().getHeader(MessageHeaders.RATE_LIMIT_RELEASED) != null;
    }

    /**
     * Parks a task of {@code task}'s type that came from {@code queue} until its turn.
     *
     * @throws dev.celeriac.producer.TaskPublishException if the broker did not take it
     */
    public void park(String id, String task, Message message, String queue) {
        String parking = TopologyNames.rateLimitQueue(task);
        Message parked =
                copy(message).setHeader(MessageHeaders.RATE_LIMIT_QUEUE, queue).build();
        publisher.sendAndWait(id, "", parking, parking, parked, timeout);
    }

    /**
     * A parked task's publish back to the work queue it came from, released.
     *
     * @param queue the work queue
     * @param pending its confirm
     */
    record Release(String queue, ConfirmedPublisher.Pending pending) {}

    /** Publishes a parked task back to the work queue it came from, released; the caller awaits the confirm. */
    Release release(String id, Message parked) {
        Object origin = parked.getMessageProperties().getHeader(MessageHeaders.RATE_LIMIT_QUEUE);
        String queue = origin == null ? TopologyNames.DEFAULT_QUEUE : origin.toString();
        Message released = copy(parked)
                .removeHeader(MessageHeaders.RATE_LIMIT_QUEUE)
                .setHeader(MessageHeaders.RATE_LIMIT_RELEASED, clock.instant().toString())
                .build();
        return new Release(queue, publisher.send(id, TopologyNames.TASK_EXCHANGE, queue, queue, released));
    }

    /** How long a release may wait for its confirm. */
    Duration timeout() {
        return timeout;
    }

    /** A copy to publish anew: the broker's delivery count stays with the delivery it came from. */
    private static MessageBuilderSupport<Message> copy(Message message) {
        return MessageBuilder.fromClonedMessage(message).removeHeader(MessageHeaders.DELIVERY_COUNT);
    }
}
