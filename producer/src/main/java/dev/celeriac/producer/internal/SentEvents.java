package dev.celeriac.producer.internal;

import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.producer.amqp.ConfirmedPublisher;
import dev.celeriac.protocol.event.EventCodec;
import dev.celeriac.protocol.event.EventType;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.names.MetricNames;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.protocol.names.WireFormat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;

/**
 * Sends task-sent events without holding up the submit that accepted their tasks, and makes sure they arrive: each
 * message is confirmed, and one the broker did not take (a nack, a return while the event queue is missing, a lost
 * connection, no confirm in time) is sent again, with a growing pause, until it is taken or the client closes. A task
 * whose event was still lost (the process ended first) becomes known to the ledger from its worker's task-received.
 */
final class SentEvents implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SentEvents.class);

    /** Most event messages waiting to be sent again; beyond it the oldest are given up on (and the worker tells). */
    static final int MAX_WAITING = 10_000;

    private static final Duration FIRST_PAUSE = Duration.ofMillis(200);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(30);

    private final ConfirmedPublisher publisher;
    private final EventCodec codec;
    private final Duration confirmTimeout;
    private final AtomicInteger waiting = new AtomicInteger();
    private final Counter resent;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("celeriac-sent-events").daemon().factory());

    SentEvents(ConfirmedPublisher publisher, EventCodec codec, Duration confirmTimeout, MeterRegistry meters) {
        this.publisher = publisher;
        this.codec = codec;
        this.confirmTimeout = confirmTimeout;
        this.resent = Counter.builder(MetricNames.SENT_EVENTS_RESENT).register(meters);
    }

    /** Sends the events as one message (a lone event as itself) and returns without waiting for its confirm. */
    void send(List<TaskEvent.Sent> events) {
        boolean single = events.size() == 1;
        var properties = new MessageProperties();
        properties.setContentType(WireFormat.CONTENT_TYPE_JSON);
        properties.setContentEncoding(WireFormat.CONTENT_ENCODING_UTF8);
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        var message = new Message(single ? codec.encode(events.getFirst()) : codec.encodeBatch(events), properties);
        attempt(
                events.getFirst().uuid(),
                single ? EventType.TASK_SENT.routingKey() : EventType.TASK_BATCH_ROUTING_KEY,
                message,
                FIRST_PAUSE,
                false);
    }

    private void attempt(String id, String routingKey, Message message, Duration pause, boolean retry) {
        if (retry) {
            resent.increment();
        }
        ConfirmedPublisher.Pending pending;
        try {
            pending = publisher.send(id, TopologyNames.EVENT_EXCHANGE, routingKey, TopologyNames.EVENT_QUEUE, message);
        } catch (TaskPublishException e) {
            later(id, routingKey, message, pause, e, retry);
            return;
        }
        pending.settled()
                .orTimeout(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((ok, timedOut) -> {
                    try {
                        pending.await(Duration.ZERO);
                        if (retry) {
                            waiting.decrementAndGet();
                        }
                    } catch (TaskPublishException e) {
                        later(id, routingKey, message, pause, e, retry);
                    }
                });
    }

    private void later(
            String id, String routingKey, Message message, Duration pause, TaskPublishException cause, boolean retry) {
        if (!retry && waiting.incrementAndGet() > MAX_WAITING) {
            waiting.decrementAndGet();
            log.warn("gave up on a task-sent event of {}: {} are already waiting to be sent again", id, MAX_WAITING);
            return;
        }
        if (!retry) {
            log.info("a task-sent event of {} was not taken, sending it again: {}", id, cause.getMessage());
        }
        Duration next = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
        try {
            retries.schedule(
                    () -> attempt(id, routingKey, message, next, true), pause.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            waiting.decrementAndGet();
        }
    }

    @Override
    public void close() {
        retries.shutdownNow();
    }
}
