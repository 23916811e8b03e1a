package dev.celeriac.worker.internal.consume;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import dev.celeriac.producer.amqp.AmqpTaskMessages;
import dev.celeriac.producer.amqp.Subscription;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.worker.pool.TaskPool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.support.MessagePropertiesConverter;

/**
 * Consumes one work queue into its pool. Prefetch is the pool's slots plus a small lookahead, so the worker never
 * holds more unstarted messages than it can start: a long task never keeps short ones waiting in this worker while
 * another worker is free. Acks are manual and come last (see {@link TaskRunner}).
 *
 * <p>A task that comes back unsettled (its worker crashed while holding it) is moved to the queue's quarantine by
 * {@link TaskRunner}; this consumer runs quarantined tasks one at a time, holding nothing else while one runs.
 */
public final class QueueConsumer {

    private static final Logger log = LoggerFactory.getLogger(QueueConsumer.class);

    /** How often the quarantine is looked at. */
    private static final long QUARANTINE_CHECK_MILLIS = 1_000;

    /** Longest wait for this consumer's tasks to settle before a quarantined task runs; it tries again later. */
    private static final long DRAIN_MILLIS = 60_000;

    private final String queue;
    private final String quarantine;
    private final TaskPool pool;
    private final int lookahead;
    private volatile int prefetch;
    private volatile long grownAt = System.nanoTime();
    private final TaskRunner runner;
    private final MessagePropertiesConverter converter = AmqpTaskMessages.propertiesConverter();
    private final Set<Delivery> held = ConcurrentHashMap.newKeySet();
    private final Object settles = new Object();
    private volatile boolean stopping;
    private Subscription subscription;
    private Channel quarantineChannel;
    private Thread quarantineRunner;

    public QueueConsumer(String queue, TaskPool pool, int lookahead, TaskRunner runner) {
        this.queue = queue;
        this.quarantine = TopologyNames.suspectQueue(queue);
        this.pool = pool;
        this.lookahead = lookahead;
        this.prefetch = pool.size() + lookahead;
        this.runner = runner;
    }

    /**
     * Starts consuming on a channel of its own on the given (recovering) connection, and watching the queue's
     * quarantine on another.
     */
    public void start(Connection connection) throws IOException {
        subscription = Subscription.to(connection, queue)
                .name("celeriac-" + queue + "-" + pool.name())
                .prefetch(prefetch)
                // Deliveries of a channel that was lost are the broker's again: this consumer no longer holds them.
                .onRecovery(() -> {
                    held.clear();
                    signalSettled();
                })
                .start((channel, envelope, properties, body) -> {
                    var delivery = new Delivery(channel, envelope.getDeliveryTag(), this::settled);
                    held.add(delivery);
                    Message message = message(envelope, properties, body);
                    if (stopping) {
                        runner.handBack(queue, message, delivery, false);
                        return;
                    }
                    run(message, delivery, false);
                });
        quarantineChannel = connection.createChannel();
        quarantineRunner = Thread.ofPlatform()
                .name("celeriac-quarantine-" + queue)
                .daemon()
                .start(this::watchQuarantine);
        log.info(
                "consuming queue '{}' with a {} pool of {} slots (prefetch {})",
                queue,
                pool.kind().label(),
                pool.size(),
                prefetch);
    }

    private Message message(Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        return new Message(body, converter.toMessageProperties(properties, envelope, StandardCharsets.UTF_8.name()));
    }

    private void run(Message message, Delivery delivery, boolean quarantined) {
        try {
            runner.handle(queue, pool, message, delivery, () -> stopping, quarantined);
        } catch (RuntimeException e) {
            log.error("a delivery of queue '{}' failed unexpectedly; it goes back to the queue", queue, e);
            delivery.requeue();
        }
    }

    private void settled(Delivery delivery) {
        held.remove(delivery);
        signalSettled();
    }

    private void signalSettled() {
        synchronized (settles) {
            settles.notifyAll();
        }
    }

    /**
     * Runs the quarantine's tasks, each alone: when it holds tasks, this consumer stops taking new ones, lets all it
     * holds settle, then takes one quarantined task at a time and waits until it is settled, and then consumes again.
     * A quarantined task that crashes the worker takes no other task with it.
     */
    private void watchQuarantine() {
        boolean failing = false;
        while (!stopping) {
            try {
                Thread.sleep(QUARANTINE_CHECK_MILLIS);
                // A consumer that could not be started again (its channel was recovering) is started now.
                resume();
                long waiting = quarantineChannel.messageCount(quarantine);
                if (failing) {
                    log.info("looking at the quarantine of queue '{}' again", queue);
                    failing = false;
                }
                if (stopping || waiting == 0) {
                    continue;
                }
                try {
                    pause();
                    while (!stopping && awaitNothingHeld(DRAIN_MILLIS, () -> stopping)) {
                        GetResponse got = quarantineChannel.basicGet(quarantine, false);
                        if (got == null) {
                            break;
                        }
                        var delivery = new Delivery(
                                quarantineChannel, got.getEnvelope().getDeliveryTag(), this::settled);
                        held.add(delivery);
                        run(message(got.getEnvelope(), got.getProps(), got.getBody()), delivery, true);
                    }
                } finally {
                    resume();
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                // Once per outage: the connection's own recovery is logged already.
                if (!failing) {
                    log.warn("could not look at the quarantine of queue '{}': {}", queue, e.toString());
                    failing = true;
                }
            }
        }
    }

    /**
     * Waits until this consumer holds no delivery; false if it still does after {@code millis}, or when
     * {@code giveUp} says so first.
     */
    private boolean awaitNothingHeld(long millis, BooleanSupplier giveUp) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        synchronized (settles) {
            while (!held.isEmpty() && !giveUp.getAsBoolean()) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                settles.wait(Math.min(left, 100));
            }
        }
        return held.isEmpty();
    }

    /** Stops taking new messages from the queue for a while (see {@link Subscription#pause}). */
    private void pause() throws IOException {
        subscription.pause();
    }

    /** Consumes the queue again unless it already is, or its channel is down (its recovery then consumes). */
    private void resume() {
        if (stopping) {
            return;
        }
        try {
            subscription.resume();
        } catch (IOException | RuntimeException e) {
            log.warn("could not consume queue '{}' again yet, trying again in a second: {}", queue, e.toString());
        }
    }

    /**
     * Gives the pool {@code slots} slots and takes as many more messages as it can start now: the broker applies a
     * new prefetch to a consumer that subscribes after it, so the consumer subscribes again (the deliveries it holds
     * stay on the channel, and are acked there as they settle).
     */
    public synchronized void resize(int slots) throws IOException {
        int before = pool.size();
        pool.resize(slots);
        prefetch = slots + Math.min(lookahead, slots);
        if (slots > before) {
            grownAt = System.nanoTime();
        }
        if (subscription == null) {
            return;
        }
        subscription.prefetch(prefetch);
        log.info("the pool of queue '{}' now has {} slots (prefetch {})", queue, slots, prefetch);
    }

    /** How long since the pool last grew (or since it started). */
    public Duration sinceGrown() {
        return Duration.ofNanos(System.nanoTime() - grownAt);
    }

    /** Waits until every delivery this consumer holds has settled; false if one still has not after {@code wait}. */
    public boolean awaitSettled(Duration wait) throws InterruptedException {
        return awaitNothingHeld(wait.toMillis(), () -> false);
    }

    /** Stops taking new messages; deliveries that still arrive go straight back to the queue. */
    public synchronized void stopConsuming() {
        stopping = true;
        signalSettled();
        try {
            if (subscription != null) {
                subscription.pause();
            }
        } catch (IOException | RuntimeException e) {
            log.warn("could not cancel the consumer of queue '{}': {}", queue, e.toString());
        }
    }

    /** Closes the channel: any delivery still unsettled goes back to the queue. */
    public void close() {
        if (quarantineRunner != null) {
            quarantineRunner.interrupt();
        }
        try {
            if (quarantineChannel != null && quarantineChannel.isOpen()) {
                quarantineChannel.close();
            }
            if (subscription != null) {
                subscription.close();
            }
        } catch (IOException | TimeoutException | RuntimeException e) {
            log.debug("closing the channel of queue '{}': {}", queue, e.toString());
        }
        pool.close();
    }

    public String queue() {
        return queue;
    }

    /** Messages held at most: the pool's slots plus the lookahead. */
    public int prefetch() {
        return prefetch;
    }

    public TaskPool pool() {
        return pool;
    }
}
