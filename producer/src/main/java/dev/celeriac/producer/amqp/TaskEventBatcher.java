package dev.celeriac.producer.amqp;

import dev.celeriac.producer.PublishConnectionException;
import dev.celeriac.protocol.event.CeleryEvent;
import dev.celeriac.protocol.event.EventCodec;
import dev.celeriac.protocol.event.EventType;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.names.EventFields;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.protocol.names.WireFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;

/**
 * Publishes task events to {@code celeryev} the way a Celery worker batches them: one sender thread publishes
 * whatever events are waiting as one message (routing key {@code task.multi}, a JSON list; a lone event goes as
 * itself), persistent and confirmed, in order on one channel, with at most {@link #IN_FLIGHT} messages awaiting their
 * confirm. An idle
 * process's event leaves at once; under load the events of many tasks share one broker write instead of one each.
 * Workers send their task events through it, and producers their task-sent events.
 */
public final class TaskEventBatcher implements AutoCloseable {

    /** Most events in one message. */
    public static final int MAX_BATCH = 500;

    /** Messages awaiting their confirm at once; while they wait, the next one fills. */
    public static final int IN_FLIGHT = 2;

    private record Queued(String id, TaskEvent event, CompletableFuture<ConfirmedPublisher.Pending> published) {}

    private final ConfirmedPublisher publisher;
    private final EventCodec codec;
    private final String hostname;
    private final BlockingQueue<Queued> waiting = new LinkedBlockingQueue<>();
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
    private final Thread sender;
    private volatile boolean open = true;

    /**
     * @param hostname the {@code hostname} header of each message (Celery's), or {@code null}
     * @param threadName the sender thread's name
     */
    public TaskEventBatcher(ConfirmedPublisher publisher, EventCodec codec, String hostname, String threadName) {
        this.publisher = publisher;
        this.codec = codec;
        this.hostname = hostname;
        this.sender = Thread.ofPlatform().name(threadName).daemon().start(this::sendBatches);
    }

    /**
     * Queues an event; the future completes with its message's publish once it is sent (then wait for its confirm),
     * or exceptionally if it could not be sent.
     */
    public CompletableFuture<ConfirmedPublisher.Pending> send(String id, TaskEvent event) {
        var queued = new Queued(id, event, new CompletableFuture<>());
        waiting.add(queued);
        if (!open) {
            queued.published().completeExceptionally(closed(id));
        }
        return queued.published();
    }

    /** Publishes one event as its own message, with its own routing key, at once. */
    public ConfirmedPublisher.Pending publishNow(String id, CeleryEvent event) {
        return publisher.sendOrdered(
                id,
                TopologyNames.EVENT_EXCHANGE,
                event.type().routingKey(),
                TopologyNames.EVENT_QUEUE,
                message(codec.encode(event)));
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
            left.published().completeExceptionally(closed(left.id()));
        }
    }

    private void publish(List<Queued> batch) {
        String id = batch.getFirst().id();
        try {
            ConfirmedPublisher.Pending pending = batch.size() == 1
                    ? publishNow(id, batch.getFirst().event())
                    : publisher.sendOrdered(
                            id,
                            TopologyNames.EVENT_EXCHANGE,
                            EventType.TASK_BATCH_ROUTING_KEY,
                            TopologyNames.EVENT_QUEUE,
                            message(codec.encodeBatch(
                                    batch.stream().map(Queued::event).toList())));
            pending.settled().whenComplete((ignored, failure) -> inFlight.release());
            batch.forEach(q -> q.published().complete(pending));
        } catch (RuntimeException e) {
            inFlight.release();
            batch.forEach(q -> q.published().completeExceptionally(e));
        }
    }

    private Message message(byte[] body) {
        var properties = new MessageProperties();
        properties.setContentType(WireFormat.CONTENT_TYPE_JSON);
        properties.setContentEncoding(WireFormat.CONTENT_ENCODING_UTF8);
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        if (hostname != null) {
            properties.setHeader(EventFields.HOSTNAME, hostname);
        }
        return new Message(body, properties);
    }

    private static PublishConnectionException closed(String id) {
        return new PublishConnectionException(id, new IllegalStateException("the event publisher is closed"));
    }

    /** Sends what is waiting (for at most {@code waitMillis}), then stops the sender thread. */
    public void close(long waitMillis) throws InterruptedException {
        open = false;
        sender.join(waitMillis);
        sender.interrupt();
    }

    @Override
    public void close() throws InterruptedException {
        close(10_000);
    }
}
