package dev.celeriac.worker.events;

import dev.celeriac.producer.amqp.ConfirmedPublisher;
import dev.celeriac.protocol.event.CeleryEvent;
import dev.celeriac.protocol.event.EventCodec;
import dev.celeriac.protocol.event.EventSource;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.names.EventFields;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.protocol.names.WireFormat;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;

/**
 * Publishes Celery events to {@code celeryev}, persistent and confirmed, where the durable {@code celeriac.events}
 * queue keeps them for the ledger even while the API is down. Events about a task's outcome are awaited before the
 * task message is acked; the others are sent without waiting.
 */
public final class EventPublisher {

    private final ConfirmedPublisher publisher;
    private final EventCodec codec;
    private final String hostname;
    private final Duration timeout;
    private final boolean taskEvents;
    private final AtomicLong clock = new AtomicLong();

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
    }

    /** The source of a new event: this worker, now, with the next Lamport clock value. */
    public EventSource source() {
        return EventSource.now(hostname, clock.incrementAndGet());
    }

    /** The worker's node name. */
    public String hostname() {
        return hostname;
    }

    /** Sends an event without waiting for its confirm. */
    public ConfirmedPublisher.Pending send(String id, CeleryEvent event) {
        if (!taskEvents && event instanceof TaskEvent) {
            return ConfirmedPublisher.Pending.notSent(id);
        }
        var properties = new MessageProperties();
        properties.setContentType(WireFormat.CONTENT_TYPE_JSON);
        properties.setContentEncoding(WireFormat.CONTENT_ENCODING_UTF8);
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        properties.setHeader(EventFields.HOSTNAME, hostname);
        return publisher.send(
                id,
                TopologyNames.EVENT_EXCHANGE,
                event.type().routingKey(),
                TopologyNames.EVENT_QUEUE,
                new Message(codec.encode(event), properties));
    }

    /**
     * Sends an event and waits for its confirm.
     *
     * @throws dev.celeriac.producer.TaskPublishException if the broker did not take it
     */
    public void sendAndWait(String id, CeleryEvent event) {
        send(id, event).await(timeout);
    }
}
