package dev.celeriac.producer.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Return;
import com.rabbitmq.client.ShutdownSignalException;
import dev.celeriac.producer.PublishConnectionException;
import dev.celeriac.producer.PublishNackedException;
import dev.celeriac.producer.PublishReturnedException;
import dev.celeriac.producer.PublishTimeoutException;
import dev.celeriac.producer.TaskPublishException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.support.DefaultMessagePropertiesConverter;

/**
 * Publishes persistent, mandatory messages and lets the caller wait for the broker's verdict: a publish counts only
 * when it is confirmed and was not returned. Thread-safe.
 *
 * <p>It publishes on a connection of its own (apart from consumers, so that a publisher blocked by a resource alarm
 * never holds up their acks) over a few long-lived channels in confirm mode, each carrying any number of publishes
 * awaiting their confirms, matched by sequence number. A channel per outstanding confirm, as a channel cache gives
 * when confirms are slow, costs the broker more than the publishes themselves and runs into the connection's channel
 * limit under load. A channel that fails fails its outstanding publishes ({@link PublishConnectionException}) and is
 * opened again for the next publish.
 */
public final class ConfirmedPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfirmedPublisher.class);

    /** How often a wait for a confirm looks whether the connection was blocked or unblocked meanwhile. */
    private static final long BLOCK_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    /** Channels publishing at once; publishes on one channel are serialised, their confirms are not. */
    static final int LANES = 4;

    /** Header matching a returned message with its publish (removed before a consumer could care: it never is). */
    static final String PUBLISH_ID = "x-celeriac-publish-id";

    private final ConnectionFactory spring;
    private final BrokerConnections broker;
    private final DefaultMessagePropertiesConverter converter = new DefaultMessagePropertiesConverter();
    private final Lane[] lanes = new Lane[LANES];
    private final AtomicLong next = new AtomicLong();
    private final AtomicLong publishIds = new AtomicLong();
    private Connection connection;
    private volatile boolean waitWhileBlocked;
    private volatile String blockedReason;
    private volatile long unblockedAtNanos;
    private volatile long unblocks;

    /**
     * Creates a publisher with the connection settings of a Spring AMQP connection factory, connecting to the nodes of
     * {@code broker}.
     *
     * @throws IllegalStateException if the factory has publisher confirms or returns off: an application that turned
     *     them off explicitly learns at start that Celeriac publishes only with both
     */
    public ConfirmedPublisher(ConnectionFactory connectionFactory, BrokerConnections broker) {
        if (!connectionFactory.isPublisherConfirms()) {
            throw new IllegalStateException(
                    "Celeriac publishes only with publisher confirms, but the connection factory"
                            + " has them off: set spring.rabbitmq.publisher-confirm-type=correlated");
        }
        if (!connectionFactory.isPublisherReturns()) {
            throw new IllegalStateException("Celeriac needs publisher returns to detect unroutable messages, but the"
                    + " connection factory has them off: set spring.rabbitmq.publisher-returns=true");
        }
        this.spring = connectionFactory;
        // Recovery would renumber a channel's publishes behind our back; a failed channel is replaced instead.
        this.broker = broker.withoutRecovery();
        for (int i = 0; i < LANES; i++) {
            lanes[i] = new Lane();
        }
    }

    /**
     * What a publish does while RabbitMQ blocks this publisher's connection (a memory or disk alarm). By default it
     * fails at once ({@link PublishConnectionException}, transient), so that a caller such as the REST API answers
     * "try later" instead of hanging. With {@code true}, as a worker publishing outcomes wants, publishes wait out the
     * alarm: the confirm time-out counts only from the moment the broker lifts the block, so that tasks already run
     * are not handed back and run again merely because the broker was busy.
     */
    public void setWaitWhileBlocked(boolean waitWhileBlocked) {
        this.waitWhileBlocked = waitWhileBlocked;
    }

    /** A mark of the blocks so far, taken when a wait starts; see {@link #extended}. */
    public long blockMark() {
        return unblocks;
    }

    /**
     * The deadline of a wait that began at {@code mark}, moved for a publisher that waits while blocked: while the
     * connection is blocked the wait goes on, and after a block the full {@code timeout} runs again from its end.
     * Unchanged for a publisher that fails while blocked.
     */
    public long extended(long deadlineNanos, long mark, Duration timeout) {
        if (!waitWhileBlocked) {
            return deadlineNanos;
        }
        if (isBlocked()) {
            return Math.max(deadlineNanos, System.nanoTime() + BLOCK_CHECK_NANOS);
        }
        if (unblocks != mark) {
            return Math.max(deadlineNanos, unblockedAtNanos + timeout.toNanos());
        }
        return deadlineNanos;
    }

    /**
     * The outcome of {@code future} by the deadline of a wait that began at {@code mark}, the deadline moved by
     * {@link #extended} as blocks come and go.
     *
     * @throws TimeoutException if the (moved) deadline passed first
     */
    public <T> T awaitUnblocked(Future<T> future, long deadlineNanos, long mark, Duration timeout)
            throws TimeoutException, ExecutionException, InterruptedException {
        long deadline = deadlineNanos;
        while (true) {
            try {
                long wait = Math.max(0, deadline - System.nanoTime());
                return future.get(Math.min(wait, BLOCK_CHECK_NANOS), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                deadline = extended(deadline, mark, timeout);
                if (System.nanoTime() - deadline >= 0) {
                    throw e;
                }
            }
        }
    }

    /** Whether RabbitMQ blocks this publisher's connection now (a resource alarm). */
    public boolean isBlocked() {
        return blockedReason != null;
    }

    /** A publish on its way: {@link #await} gives the broker's verdict. */
    public static final class Pending {
        private final String id;
        private final String destination;
        private final CompletableFuture<Boolean> confirm = new CompletableFuture<>();
        private final long startedNanos;
        private final ConfirmedPublisher publisher;
        private final long unblocksAtStart;
        private volatile Return returned;

        private Pending(String id, String destination, long startedNanos, ConfirmedPublisher publisher) {
            this.id = id;
            this.destination = destination;
            this.startedNanos = startedNanos;
            this.publisher = publisher;
            this.unblocksAtStart = publisher == null ? 0 : publisher.unblocks;
        }

        /** A publish that was deliberately not made (the message was not wanted): it awaits as confirmed. */
        public static Pending notSent(String id) {
            var pending = new Pending(id, "", System.nanoTime(), null);
            pending.confirm.complete(true);
            return pending;
        }

        /** Completes (normally) when the broker has answered: confirmed, refused, or the channel failed. */
        public CompletableFuture<Void> settled() {
            return confirm.handle((ack, failure) -> null);
        }

        /** Nanoseconds from send to now. */
        public long elapsedNanos() {
            return System.nanoTime() - startedNanos;
        }

        /**
         * Waits until the given {@link System#nanoTime()} deadline for the confirm.
         *
         * @param timeout the time-out the deadline stands for, for the error message
         * @throws PublishReturnedException if the broker could not route the message
         * @throws PublishNackedException if the broker refused it
         * @throws PublishTimeoutException if no confirm came by the deadline
         * @throws PublishConnectionException if the channel failed
         */
        public void await(long deadlineNanos, Duration timeout) {
            try {
                // A publish deliberately not made has no publisher, and its confirm is there already.
                boolean ack = publisher == null
                        ? confirm.get()
                        : publisher.awaitUnblocked(confirm, deadlineNanos, unblocksAtStart, timeout);
                Return r = returned;
                if (r != null) {
                    throw new PublishReturnedException(id, destination, r.getReplyCode(), r.getReplyText());
                }
                if (!ack) {
                    throw new PublishNackedException(id, destination, null);
                }
            } catch (TimeoutException e) {
                throw new PublishTimeoutException(id, timeout);
            } catch (ExecutionException e) {
                throw new PublishConnectionException(id, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PublishConnectionException(id, e);
            }
        }

        /** Waits up to {@code timeout} from now for the confirm; see {@link #await(long, Duration)}. */
        public void await(Duration timeout) {
            await(System.nanoTime() + timeout.toNanos(), timeout);
        }
    }

    /**
     * Sends a message, persistent and mandatory.
     *
     * @param id what the message is about (a task id), for errors
     * @param exchange the exchange
     * @param routingKey the routing key
     * @param destination what the routing key stands for (a queue name), for errors
     * @throws PublishConnectionException if it could not be sent at all
     */
    public Pending send(String id, String exchange, String routingKey, String destination, Message message) {
        return send(
                lanes[(int) Math.floorMod(next.getAndIncrement(), (long) LANES)],
                id,
                exchange,
                routingKey,
                destination,
                message);
    }

    /**
     * Sends a message as {@link #send} does, on the one channel that carries every ordered send of this publisher,
     * so that the broker takes them in the order they were sent (messages on different channels may overtake each
     * other): events, whose order monitors read.
     */
    public Pending sendOrdered(String id, String exchange, String routingKey, String destination, Message message) {
        return send(lanes[0], id, exchange, routingKey, destination, message);
    }

    private Pending send(
            Lane lane, String id, String exchange, String routingKey, String destination, Message message) {
        String blocked = blockedReason;
        if (blocked != null && !waitWhileBlocked) {
            throw new PublishConnectionException(id, new IOException("RabbitMQ blocks publishing: " + blocked));
        }
        var pending = new Pending(id, destination, System.nanoTime(), this);
        String publishId = Long.toString(publishIds.incrementAndGet());
        AMQP.BasicProperties properties = properties(message, publishId);
        try {
            lane.publish(pending, publishId, exchange, routingKey, properties, message.getBody());
        } catch (IOException | RuntimeException e) {
            throw new PublishConnectionException(id, e);
        }
        return pending;
    }

    /** Sends a message and waits for its confirm; see {@link Pending#await(Duration)}. */
    public void sendAndWait(
            String id, String exchange, String routingKey, String destination, Message message, Duration timeout)
            throws TaskPublishException {
        send(id, exchange, routingKey, destination, message).await(timeout);
    }

    /**
     * The message's properties for the client, persistent and carrying this publish's id. The id is set on the
     * message itself before the one conversion (a message sent again, one publish after another, carries the newest):
     * copying the converted headers to add it cost every publish two more copies of its headers.
     */
    private AMQP.BasicProperties properties(Message message, String publishId) {
        var properties = message.getMessageProperties();
        properties.setHeader(PUBLISH_ID, publishId);
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        return converter.fromMessageProperties(properties, StandardCharsets.UTF_8.name());
    }

    private synchronized Connection connection() throws IOException {
        if (connection == null || !connection.isOpen()) {
            // Spring's own connection declares the application's topology (RabbitAdmin) when it opens.
            spring.createConnection();
            try {
                connection = broker.open("celeriac-publisher");
                blockedReason = null;
                connection.addBlockedListener(
                        reason -> {
                            blockedReason = reason == null || reason.isBlank() ? "resource alarm" : reason;
                            log.warn(
                                    "RabbitMQ blocks publishing ({}); publishes {} until it lifts the block",
                                    blockedReason,
                                    waitWhileBlocked ? "wait" : "fail at once");
                        },
                        () -> {
                            unblockedAtNanos = System.nanoTime();
                            unblocks++;
                            blockedReason = null;
                            log.info("RabbitMQ publishes again: the block is lifted");
                        });
            } catch (TimeoutException e) {
                throw new IOException("could not connect to RabbitMQ in time", e);
            }
        }
        return connection;
    }

    /** Closes the publisher's connection; publishes still awaiting confirms fail. */
    @Override
    public synchronized void close() {
        if (connection != null && connection.isOpen()) {
            try {
                connection.close();
            } catch (IOException | RuntimeException e) {
                // Closing anyway.
            }
        }
    }

    /** One channel in confirm mode and the publishes awaiting its confirms. */
    private final class Lane {
        private Channel channel;
        private ConcurrentSkipListMap<Long, Pending> outstanding = new ConcurrentSkipListMap<>();
        private final Map<String, Pending> byPublishId = new ConcurrentHashMap<>();

        synchronized void publish(
                Pending pending,
                String publishId,
                String exchange,
                String routingKey,
                AMQP.BasicProperties properties,
                byte[] body)
                throws IOException {
            Channel c = open();
            long sequence = c.getNextPublishSeqNo();
            outstanding.put(sequence, pending);
            byPublishId.put(publishId, pending);
            pending.confirm.whenComplete((ack, failure) -> byPublishId.remove(publishId));
            try {
                c.basicPublish(exchange, routingKey, true, properties, body);
            } catch (IOException | RuntimeException e) {
                outstanding.remove(sequence);
                byPublishId.remove(publishId);
                throw e;
            }
        }

        private Channel open() throws IOException {
            if (channel != null && channel.isOpen()) {
                return channel;
            }
            Channel c = connection().createChannel();
            if (c == null) {
                throw new IOException("the connection has no channel left");
            }
            c.confirmSelect();
            var mine = new ConcurrentSkipListMap<Long, Pending>();
            outstanding = mine;
            c.addConfirmListener(
                    (sequence, multiple) -> settle(mine, sequence, multiple, true),
                    (sequence, multiple) -> settle(mine, sequence, multiple, false));
            c.addReturnListener(r -> {
                Object id = r.getProperties().getHeaders() == null
                        ? null
                        : r.getProperties().getHeaders().get(PUBLISH_ID);
                Pending pending = id == null ? null : byPublishId.get(id.toString());
                if (pending != null) {
                    pending.returned = r;
                }
            });
            c.addShutdownListener(cause -> fail(mine, cause));
            channel = c;
            return c;
        }

        private static void settle(
                ConcurrentSkipListMap<Long, Pending> outstanding, long sequence, boolean multiple, boolean ack) {
            if (multiple) {
                var settled = outstanding.headMap(sequence, true);
                settled.values().forEach(p -> p.confirm.complete(ack));
                settled.clear();
            } else {
                Pending pending = outstanding.remove(sequence);
                if (pending != null) {
                    pending.confirm.complete(ack);
                }
            }
        }

        private static void fail(ConcurrentSkipListMap<Long, Pending> outstanding, ShutdownSignalException cause) {
            outstanding.values().forEach(p -> p.confirm.completeExceptionally(cause));
            outstanding.clear();
        }
    }
}
