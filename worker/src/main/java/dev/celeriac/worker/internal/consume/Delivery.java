package dev.celeriac.worker.internal.consume;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One delivery of a task message, settled exactly once: acked after its outcome is confirmed, or given back to the
 * queue. A second settle is ignored; a settle on a channel that has closed is logged, since the broker redelivers
 * the message anyway.
 */
final class Delivery implements AckLast.Held {

    private static final Logger log = LoggerFactory.getLogger(Delivery.class);

    private final Channel channel;
    private final long tag;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final Consumer<Delivery> onSettle;

    /** A delivery that tells {@code onSettle} once it is settled (its consumer counts what it holds). */
    Delivery(Channel channel, long tag, Consumer<Delivery> onSettle) {
        this.channel = channel;
        this.tag = tag;
        this.onSettle = onSettle;
    }

    @Override
    public boolean ack() {
        if (!settled.compareAndSet(false, true)) {
            return false;
        }
        try {
            channel.basicAck(tag, false);
            return true;
        } catch (IOException | RuntimeException e) {
            log.warn("could not ack delivery {}; the broker will redeliver it: {}", tag, e.toString());
            return false;
        } finally {
            onSettle.accept(this);
        }
    }

    @Override
    public boolean requeue() {
        if (!settled.compareAndSet(false, true)) {
            return false;
        }
        try {
            channel.basicNack(tag, false, true);
            return true;
        } catch (IOException | RuntimeException e) {
            log.warn("could not requeue delivery {}; the broker will redeliver it: {}", tag, e.toString());
            return false;
        } finally {
            onSettle.accept(this);
        }
    }

    /** Whether nobody settled it yet and the channel it came on is still open, so that acking it means something. */
    @Override
    public boolean isOpen() {
        return !settled.get() && channel.isOpen();
    }
}
