package dev.celeriac.producer.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every Celeriac consumer takes messages from a queue (ADR 7): a channel of its own, a prefetch, a subscription
 * that can be paused, resumed and made again with another prefetch, each time under a tag of its own, and a handler
 * whose failure is logged rather than left to close the channel. Acks are the handler's to give, on
 * {@link #channel()}, from whichever thread settles the delivery.
 */
public final class Subscription implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Subscription.class);

    /**
     * What a subscription hands each delivery to, on the client's dispatch thread of its channel, with the channel
     * to ack it on.
     */
    @FunctionalInterface
    public interface Handler {
        void delivered(Channel channel, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                throws IOException;
    }

    /** How to subscribe. */
    public static final class Builder {
        private final Connection connection;
        private final String queue;
        private String name;
        private int prefetch;
        private boolean autoAck;
        private Map<String, Object> arguments = Map.of();
        private Runnable onRecovery = () -> {};

        private Builder(Connection connection, String queue) {
            this.connection = connection;
            this.queue = queue;
            this.name = "celeriac-" + queue;
        }

        /** The start of each subscription's tag, as the management UI shows it. */
        public Builder name(String value) {
            name = value;
            return this;
        }

        /** Messages delivered and not yet acked at most; 0 for no limit. */
        public Builder prefetch(int value) {
            prefetch = value;
            return this;
        }

        /** Whether the broker counts a delivery acked as it sends it (for messages nobody must lose track of). */
        public Builder autoAck(boolean value) {
            autoAck = value;
            return this;
        }

        /** Consumer arguments, e.g. a stream's offset. */
        public Builder arguments(Map<String, Object> value) {
            arguments = Map.copyOf(value);
            return this;
        }

        /**
         * What to do once a lost channel has been recovered: its deliveries were the broker's again the moment it
         * was lost, so a consumer that counts what it holds forgets them here.
         */
        public Builder onRecovery(Runnable action) {
            onRecovery = action;
            return this;
        }

        /** Opens the channel and subscribes. */
        public Subscription start(Handler handler) throws IOException {
            var subscription = new Subscription(this, handler);
            subscription.resume();
            return subscription;
        }
    }

    private final String queue;
    private final String name;
    private final boolean autoAck;
    private final Map<String, Object> arguments;
    private final Channel channel;
    private final DefaultConsumer consumer;
    private final AtomicInteger subscriptions = new AtomicInteger();
    private volatile String tag;

    private Subscription(Builder builder, Handler handler) throws IOException {
        this.queue = builder.queue;
        this.name = builder.name;
        this.autoAck = builder.autoAck;
        this.arguments = builder.arguments;
        this.channel = builder.connection.createChannel();
        if (builder.prefetch > 0) {
            channel.basicQos(builder.prefetch);
        }
        if (channel instanceof Recoverable recoverable) {
            Runnable onRecovery = builder.onRecovery;
            recoverable.addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecovery(Recoverable recovered) {
                    onRecovery.run();
                }

                @Override
                public void handleRecoveryStarted(Recoverable recovering) {}
            });
        }
        this.consumer = new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                try {
                    handler.delivered(getChannel(), envelope, properties, body);
                } catch (IOException | RuntimeException e) {
                    log.warn("a delivery from queue '{}' could not be handled: {}", queue, e.toString(), e);
                }
            }
        };
    }

    /** Starts to subscribe to {@code queue} on a connection. */
    public static Builder to(Connection connection, String queue) {
        return new Builder(connection, queue);
    }

    /** The subscription's channel, for acks, nacks and {@code basic.get}s. */
    public Channel channel() {
        return channel;
    }

    /** Whether messages are being taken now. */
    public boolean subscribed() {
        return tag != null;
    }

    /**
     * Stops taking messages; those delivered stay held until acked. The tag is forgotten before the cancel is sent:
     * a cancel that fails (the channel is being recovered, and the client has already dropped the subscription from
     * what it recovers) must still leave {@link #resume} to subscribe again.
     */
    public synchronized void pause() throws IOException {
        if (tag != null && channel.isOpen()) {
            String cancelled = tag;
            tag = null;
            channel.basicCancel(cancelled);
        }
    }

    /** Takes messages again, under a new tag, unless it already does or its channel is down (its recovery does). */
    public synchronized void resume() throws IOException {
        if (tag == null && channel.isOpen()) {
            tag = channel.basicConsume(
                    queue, autoAck, name + "-" + subscriptions.incrementAndGet(), false, false, arguments, consumer);
        }
    }

    /**
     * Takes up to {@code prefetch} unacked messages from now on: the broker applies a prefetch only to subscriptions
     * made after it, so this subscribes again (the deliveries held stay on the channel, and are acked there).
     */
    public synchronized void prefetch(int prefetch) throws IOException {
        if (!channel.isOpen()) {
            return; // its recovery subscribes again, with the prefetch set last
        }
        boolean subscribed = tag != null;
        pause();
        channel.basicQos(prefetch);
        if (subscribed) {
            resume();
        }
    }

    /** Closes the channel: whatever is still held and unacked goes back to the queue. */
    @Override
    public synchronized void close() {
        tag = null;
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        } catch (IOException | RuntimeException | TimeoutException e) {
            log.debug("closing the subscription to '{}': {}", queue, e.toString());
        }
    }
}
