package dev.celeriac.worker.events;

import dev.celeriac.producer.PublishConnectionException;
import dev.celeriac.producer.PublishTimeoutException;
import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.producer.amqp.ConfirmedPublisher;
import dev.celeriac.protocol.event.CeleryEvent;
import dev.celeriac.protocol.event.EventCodec;
import dev.celeriac.protocol.event.EventSource;
import dev.celeriac.protocol.event.EventType;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.names.EventFields;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.protocol.names.WireFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;

/**
 * Publishes Celery events to {@code celeryev}, persistent and confirmed, where the durable {@code celeriac.events}
 * queue keeps them for the ledger even while the API is down.
 *
 * <p>Task events are batched the way a Celery worker batches them: one sender thread publishes whatever events are
 * waiting as one message (routing key {@code task.multi}, a JSON list; a lone event goes as itself), with at most
 * {@link #IN_FLIGHT} batches awaiting their confirm. An idle worker's event leaves at once; under load the events of
 * many tasks share one broker write instead of one each. Events about a task's outcome are awaited (their batch's
 * confirm) before the task message is acked; the others are sent without waiting. Worker events (online, heartbeat,
 * offline) are published directly.
 */
public final class EventPublisher implements AutoCloseable {

    /** Most events in one message. */
    static final int MAX_BATCH = 500;
    /** Batches awaiting their confirm at once; while they wait, the next batch fills. */
    static final int IN_FLIGHT = 2;

    private record Queued(String id, TaskEvent event, CompletableFuture<ConfirmedPublisher.Pending> published) {}

    private final ConfirmedPublisher publisher;
    private final EventCodec codec;
    private final String hostname;
    private final Duration timeout;
    private volatile boolean taskEvents;
    private final AtomicLong clock = new AtomicLong();
    private final BlockingQueue<Queued> waiting = new LinkedBlockingQueue<>();
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
    private final Thread sender;
    private volatile boolean open = true;

    /**
     * @param taskEvents whether task events are sent; when not, only worker events (online, heartbeat, offline) are
     */
    public EventPublisher(
            ConfirmedPublisher publisher, EventCodec codec, String hostname, Duration timeout, boolean taskEvents) {
        this.publisher = publisher;
        this.codec = codec;
        this.hostname = hostname;
        this.timeout = timeout;
        this.taskEvents = taskEvents;
        this.sender = Thread.ofPlatform().name("celeriac-events").daemon().start(this::sendBatches);
    }

    /** The source of a new event: this worker, now, with the next Lamport clock value. */
    public EventSource source() {
        return EventSource.now(hostname, clock.incrementAndGet());
    }

    /** The Lamport clock's current value. */
    public long clock() {
        return clock.get();
    }

    /** Moves the Lamport clock past a value another node sent, as Celery nodes do with every message they get. */
    public void adjustClock(long seen) {
        clock.accumulateAndGet(seen, (mine, theirs) -> Math.max(mine, theirs) + 1);
    }

    /** Whether task events are sent now. */
    public boolean taskEvents() {
        return taskEvents;
    }

    /**
     * Turns task events on or off at run time (Celery's {@code enable_events} and {@code disable_events} commands).
     *
     * @return whether they were on before
     */
    public boolean taskEvents(boolean enabled) {
        boolean before = taskEvents;
        taskEvents = enabled;
        return before;
    }

    /** The worker's node name. */
    public String hostname() {
        return hostname;
    }

    /** Sends an event without waiting for its confirm. */
    public void send(String id, CeleryEvent event) {
        if (event instanceof TaskEvent task) {
            enqueue(id, task);
        } else {
            publishNow(id, event);
        }
    }

    /**
     * Sends an event and waits for its confirm.
     *
     * @throws TaskPublishException if the broker did not take it
     */
    public void sendAndWait(String id, CeleryEvent event) {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!(event instanceof TaskEvent task)) {
            publishNow(id, event).await(deadline, timeout);
            return;
        }
        Queued queued = enqueue(id, task);
        if (queued == null) {
            return;
        }
        long mark = publisher.blockMark();
        ConfirmedPublisher.Pending pending;
        try {
            // Batches wait for a free slot behind the ones awaiting their confirms, so a broker's resource alarm holds
            // them here as well: the wait goes on while it lasts.
            pending = publisher.awaitUnblocked(queued.published(), deadline, mark, timeout);
        } catch (TimeoutException e) {
            throw new PublishTimeoutException(id, timeout);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof TaskPublishException publish
                    ? publish
                    : new PublishConnectionException(id, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishConnectionException(id, e);
        }
        // A block lifted while the batch waited to be sent gives the confirm the full time-out from then on.
        pending.await(publisher.extended(deadline, mark, timeout), timeout);
    }

    private Queued enqueue(String id, TaskEvent event) {
        if (!taskEvents) {
            return null;
        }
        var queued = new Queued(id, event, new CompletableFuture<>());
        waiting.add(queued);
        if (!open) {
            queued.published()
                    .completeExceptionally(new PublishConnectionException(
                            id, new IllegalStateException("the event publisher is closed")));
        }
        return queued;
    }

    private void sendBatches() {
        var batch = new ArrayList<Queued>();
        while (open || !waiting.isEmpty()) {
            try {
                inFlight.acquire();
                Queued first = waiting.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    inFlight.release();
                    continue;
                }
                batch.add(first);
                waiting.drainTo(batch, MAX_BATCH - 1);
                publish(batch);
            } catch (InterruptedException e) {
                if (!open) {
                    break;
                }
            } finally {
                batch.clear();
            }
        }
        Queued left;
        while ((left = waiting.poll()) != null) {
            left.published()
                    .completeExceptionally(new PublishConnectionException(
                            left.id(), new IllegalStateException("the event publisher is closed")));
        }
    }

    private void publish(List<Queued> batch) {
        String id = batch.getFirst().id();
        try {
            ConfirmedPublisher.Pending pending;
            if (batch.size() == 1) {
                TaskEvent event = batch.getFirst().event();
                pending = publishNow(id, event);
            } else {
                pending = publisher.send(
                        id,
                        TopologyNames.EVENT_EXCHANGE,
                        EventType.TASK_BATCH_ROUTING_KEY,
                        TopologyNames.EVENT_QUEUE,
                        message(codec.encodeBatch(
                                batch.stream().map(Queued::event).toList())));
            }
            pending.settled().whenComplete((ignored, failure) -> inFlight.release());
            batch.forEach(q -> q.published().complete(pending));
        } catch (RuntimeException e) {
            inFlight.release();
            batch.forEach(q -> q.published().completeExceptionally(e));
        }
    }

    /** Publishes one event as its own message, with its own routing key. */
    private ConfirmedPublisher.Pending publishNow(String id, CeleryEvent event) {
        return publisher.send(
                id,
                TopologyNames.EVENT_EXCHANGE,
                event.type().routingKey(),
                TopologyNames.EVENT_QUEUE,
                message(codec.encode(event)));
    }

    private Message message(byte[] body) {
        var properties = new MessageProperties();
        properties.setContentType(WireFormat.CONTENT_TYPE_JSON);
        properties.setContentEncoding(WireFormat.CONTENT_ENCODING_UTF8);
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        properties.setHeader(EventFields.HOSTNAME, hostname);
        return new Message(body, properties);
    }

    /** Sends what is waiting, then stops the sender thread. */
    @Override
    public void close() throws InterruptedException {
        open = false;
        sender.join(timeout.toMillis());
        sender.interrupt();
    }
}
