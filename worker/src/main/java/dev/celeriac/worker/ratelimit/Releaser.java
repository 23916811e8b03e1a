package dev.celeriac.worker.ratelimit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.ShutdownSignalException;
import dev.celeriac.producer.amqp.AmqpTaskMessages;
import dev.celeriac.producer.amqp.BrokerConnections;
import dev.celeriac.producer.amqp.Subscription;
import dev.celeriac.protocol.control.RateLimit;
import dev.celeriac.protocol.names.BrokerArguments;
import dev.celeriac.protocol.names.MessageHeaders;
import dev.celeriac.protocol.names.TopologyNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.support.MessagePropertiesConverter;

/**
 * Releases the parked tasks of one type at its global rate, from one worker of the fleet at a time. Every worker that
 * serves the type subscribes to the type's baton queue ({@link TopologyNames#rateLimitReleaser}), a quorum queue with
 * a single active consumer that holds one baton message: the broker delivers it to one subscriber only, and that one
 * releases for as long as it holds the baton unacked. When it stops or its connection goes, the broker gives the baton
 * back and on to the next subscriber at once. Turns are evenly spaced ({@code 1 / rate} apart, a turn missed by a late
 * release made up once), so the fleet starts the type no more often than its limit whatever the number of workers.
 *
 * <p>A worker that finds no baton ready when it subscribes adds one, so a lost baton is replaced by the next worker
 * that starts; the queue keeps at most one ready beside the one held, so extra batons never pile up, and a second one
 * is never delivered while the first is held (the subscription takes one message at a time).
 */
final class Releaser implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(Releaser.class);

    private static final byte[] BATON = "baton".getBytes(StandardCharsets.UTF_8);

    /** How long a worker waits after a lost connection before it subscribes again. */
    static final Duration RETRY = Duration.ofSeconds(1);

    /** How long a parked task that the broker did not take back to its queue waits before it is asked again. */
    private static final Duration RELEASE_RETRY = Duration.ofMillis(500);

    /** What the releaser tells of its releases. */
    interface Listener {
        void released(String task, String queue);
    }

    private final String task;
    private final RateLimit limit;
    private final BrokerConnections broker;
    private final Parking parking;
    private final Listener listener;
    private final String worker;
    private final LongSupplier nanoTime;
    private final MessagePropertiesConverter converter = AmqpTaskMessages.propertiesConverter();
    private volatile boolean stopped;
    private volatile boolean releasing;
    private volatile Connection connection;
    private final BlockingQueue<Long> batons = new LinkedBlockingQueue<>();

    /**
     * @param broker the broker, without automatic recovery: a recovered connection must not assume that it still
     *     holds the baton
     */
    Releaser(
            String task,
            RateLimit limit,
            BrokerConnections broker,
            Parking parking,
            Listener listener,
            String worker,
            LongSupplier nanoTime) {
        this.task = task;
        this.limit = limit;
        this.broker = broker;
        this.parking = parking;
        this.listener = listener;
        this.worker = worker;
        this.nanoTime = nanoTime;
    }

    /** Whether this worker releases the type's tasks now. */
    boolean releasing() {
        return releasing;
    }

    @Override
    public void run() {
        while (!stopped) {
            try (Connection opened = broker.open("celeriac-releaser " + task + " " + worker)) {
                connection = opened;
                Channel baton = subscribe(opened);
                while (!stopped && baton.isOpen()) {
                    if (batons.poll(200, TimeUnit.MILLISECONDS) != null) {
                        release(opened);
                    }
                }
            } catch (IOException | TimeoutException | ShutdownSignalException e) {
                if (!stopped) {
                    log.warn("the releaser of {} lost its connection ({}); it tries again", task, e.toString());
                    pauseQuietly(RETRY);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // Whatever went wrong, the parked tasks must not wait for ever: give the baton back and try again.
                log.error("the releaser of {} failed; it tries again", task, e);
                pauseQuietly(RETRY);
            } finally {
                if (releasing) {
                    releasing = false;
                    log.info("worker {} no longer releases {}", worker, task);
                }
            }
        }
    }

    /** Stops releasing: the parked tasks this worker held but had not released go back to the parking queue. */
    void stop() {
        stopped = true;
        Connection current = connection;
        if (current != null) {
            try {
                current.abort();
            } catch (RuntimeException e) {
                log.debug("closing the releaser's connection: {}", e.toString());
            }
        }
    }

    /**
     * Subscribes to the type's baton queue, adding a baton (confirmed) if none is ready; the broker delivers the
     * baton to this subscription when it is the active one.
     */
    private Channel subscribe(Connection opened) throws IOException, InterruptedException, TimeoutException {
        String queue = TopologyNames.rateLimitReleaser(task);
        Channel channel = opened.createChannel();
        var declared = channel.queueDeclare(queue, true, false, false, BrokerArguments.RATE_LIMIT_BATON_QUEUE);
        if (declared.getMessageCount() == 0) {
            channel.confirmSelect();
            channel.basicPublish("", queue, MessageProperties.PERSISTENT_BASIC, BATON);
            channel.waitForConfirmsOrDie(RETRY.toMillis() * 10);
        }
        return Subscription.to(opened, queue)
                .name("celeriac-baton-" + worker)
                .prefetch(1)
                .start((batonChannel, envelope, properties, body) -> batons.add(envelope.getDeliveryTag()))
                .channel();
    }

    private void release(Connection opened) throws IOException, InterruptedException {
        releasing = true;
        log.info(
                "worker {} releases the parked tasks of {} at its global rate limit of {}/s",
                worker,
                task,
                limit.perSecond());
        BlockingQueue<Parked> next = new LinkedBlockingQueue<>();
        Channel channel = Subscription.to(opened, TopologyNames.rateLimitQueue(task))
                .name("celeriac-releaser-" + worker)
                // Half a second of turns at hand: their releases are confirmed while the next ones go out, so a
                // broker slow to confirm (a loaded disk) does not slow the rate down.
                .prefetch(inFlight())
                .start((parking, envelope, properties, body) -> next.add(new Parked(
                        envelope.getDeliveryTag(),
                        new Message(
                                body,
                                converter.toMessageProperties(properties, envelope, StandardCharsets.UTF_8.name())))))
                .channel();
        long interval = Math.max(1, Math.round(1e9 / limit.perSecond()));
        long due = nanoTime.getAsLong();
        var unconfirmed = new ArrayList<Released>();
        while (!stopped && channel.isOpen()) {
            settle(channel, unconfirmed);
            Parked parked = next.poll(unconfirmed.isEmpty() ? 200 : 5, TimeUnit.MILLISECONDS);
            if (parked == null) {
                continue;
            }
            long wait = due - nanoTime.getAsLong();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            Object header = parked.message().getMessageProperties().getHeader(MessageHeaders.ID);
            String id = String.valueOf(header);
            unconfirmed.add(
                    new Released(parked.tag(), id, parking.release(id, parked.message()), nanoTime.getAsLong()));
            // The next turn is one interval after this one, or after now less one interval when this one came late:
            // a late turn is made up once, never a backlog of them.
            due = Math.max(due, nanoTime.getAsLong() - interval) + interval;
        }
    }

    /** Most parked tasks held at once: half a second of turns, 1 to 100. */
    private int inFlight() {
        return (int) Math.clamp(Math.ceil(limit.perSecond() / 2), 1, 100);
    }

    /**
     * Acks each parked task whose release the broker confirmed; one it refused (or did not confirm in time) is given
     * back to the parking queue and released again in a later turn.
     */
    private void settle(Channel channel, List<Released> unconfirmed) throws IOException, InterruptedException {
        var iterator = unconfirmed.iterator();
        boolean refused = false;
        while (iterator.hasNext()) {
            Released released = iterator.next();
            var settled = released.release().pending().settled();
            boolean late =
                    nanoTime.getAsLong() - released.sentAt() > parking.timeout().toNanos();
            if (!settled.isDone() && !late) {
                continue;
            }
            iterator.remove();
            if (settled.isDone() && !settled.isCompletedExceptionally()) {
                channel.basicAck(released.tag(), false);
                listener.released(task, released.release().queue());
            } else {
                log.warn("parked task {} of {} was not released; it is released again", released.id(), task);
                channel.basicNack(released.tag(), false, true);
                refused = true;
            }
        }
        if (refused) {
            pause(RELEASE_RETRY);
        }
    }

    /** A parked task's release on its way, awaiting its confirm. */
    private record Released(long tag, String id, Parking.Release release, long sentAt) {}

    private static void pause(Duration duration) throws InterruptedException {
        Thread.sleep(duration);
    }

    private static void pauseQuietly(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Parked(long tag, Message message) {}
}
