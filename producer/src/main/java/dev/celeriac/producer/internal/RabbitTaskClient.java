package dev.celeriac.producer.internal;

import dev.celeriac.producer.BatchPublishException;
import dev.celeriac.producer.PublishConnectionException;
import dev.celeriac.producer.PublishNackedException;
import dev.celeriac.producer.PublishReturnedException;
import dev.celeriac.producer.PublishTimeoutException;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskHandle;
import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.producer.amqp.AmqpTaskMessages;
import dev.celeriac.producer.amqp.ConfirmedPublisher;
import dev.celeriac.protocol.control.Revoke;
import dev.celeriac.protocol.event.EventCodec;
import dev.celeriac.protocol.event.EventSource;
import dev.celeriac.protocol.event.EventType;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.message.CeleryTimes;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.message.TaskMessageCodec;
import dev.celeriac.protocol.names.MessageHeaders;
import dev.celeriac.protocol.names.MetricNames;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.protocol.names.WireFormat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;

/**
 * The {@link TaskClient} on RabbitMQ: persistent, mandatory publishes to {@code celeriac.tasks} on the publisher
 * connection (so a blocked publisher never holds up a consumer's acks), each awaited through a correlated publisher
 * confirm by {@link ConfirmedPublisher}. Returns are seen before the confirm completes, so an unroutable task is never
 * reported accepted.
 */
public final class RabbitTaskClient implements TaskClient, AutoCloseable {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RabbitTaskClient.class);

    /**
     * Settings of the client.
     *
     * @param defaultQueue queue of tasks that name none
     * @param confirmTimeout how long to wait for the broker's confirm
     * @param origin the {@code origin} header, {@code name@host}
     * @param sendSentEvents whether each accepted task is announced with a {@code task-sent} event, so that the
     *     ledger knows it as PENDING before any worker takes it
     */
    public record Settings(String defaultQueue, Duration confirmTimeout, String origin, boolean sendSentEvents) {
        public Settings {
            Objects.requireNonNull(defaultQueue, "defaultQueue");
            if (confirmTimeout.isNegative() || confirmTimeout.isZero()) {
                throw new IllegalArgumentException("confirm timeout must be positive, was " + confirmTimeout);
            }
        }
    }

    private final ConfirmedPublisher publisher;
    private final ConnectionFactory connectionFactory;
    private final EventCodec events;
    private final java.util.concurrent.atomic.AtomicLong eventClock = new java.util.concurrent.atomic.AtomicLong();
    private final TaskMessageCodec codec;
    private final TaskMessageFactory factory;
    private final Settings settings;
    private final MeterRegistry meters;
    private final Clock clock;

    /**
     * Creates a client on the given connection factory, which must have correlated publisher confirms and returns
     * enabled ({@code spring.rabbitmq.publisher-confirm-type=correlated}, {@code spring.rabbitmq.publisher-returns=true};
     * the Celeriac starter sets both by default).
     *
     * @throws IllegalStateException if confirms or returns are off
     */
    public RabbitTaskClient(
            ConnectionFactory connectionFactory,
            TaskMessageCodec codec,
            Settings settings,
            MeterRegistry meters,
            Clock clock) {
        this.publisher = new ConfirmedPublisher(connectionFactory);
        this.connectionFactory = connectionFactory;
        this.events = new EventCodec(codec.mapper());
        this.codec = codec;
        this.settings = settings;
        this.factory = new TaskMessageFactory(codec.mapper(), settings.defaultQueue(), settings.origin());
        this.meters = meters;
        this.clock = clock;
    }

    /** Closes the publishing connection (the application context does, when it closes). */
    @Override
    public void close() {
        publisher.close();
    }

    @Override
    public TaskHandle submit(TaskRequest request) {
        Pending pending = publish(prepare(request));
        TaskHandle handle =
                await(pending, System.nanoTime() + settings.confirmTimeout().toNanos());
        announce(List.of(pending.prepared));
        return handle;
    }

    @Override
    public List<TaskHandle> submitAll(List<TaskRequest> requests) {
        var prepared = new ArrayList<Prepared>(requests.size());
        for (TaskRequest request : requests) {
            prepared.add(prepare(request)); // every request is validated before any is sent
        }
        var pending = new ArrayList<Pending>(prepared.size());
        var failures = new LinkedHashMap<String, TaskPublishException>();
        for (Prepared p : prepared) {
            try {
                pending.add(publish(p));
            } catch (TaskPublishException e) {
                failures.put(p.message.id(), e);
            }
        }
        long deadline = System.nanoTime() + settings.confirmTimeout().toNanos();
        var accepted = new ArrayList<TaskHandle>(pending.size());
        var announced = new ArrayList<Prepared>(pending.size());
        for (Pending p : pending) {
            try {
                accepted.add(await(p, deadline));
                announced.add(p.prepared);
            } catch (TaskPublishException e) {
                failures.put(p.prepared.message.id(), e);
            }
        }
        announce(announced);
        if (!failures.isEmpty()) {
            throw new BatchPublishException(accepted, failures);
        }
        return accepted;
    }

    @Override
    public void revoke(String taskId, boolean terminate) {
        var properties = new MessageProperties();
        properties.setContentType(WireFormat.CONTENT_TYPE_JSON);
        properties.setContentEncoding(WireFormat.CONTENT_ENCODING_UTF8);
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        Revoke revoke = new Revoke(List.of(taskId), terminate, null);
        publisher.sendAndWait(
                taskId,
                "",
                TopologyNames.REVOCATION_STREAM,
                TopologyNames.REVOCATION_STREAM,
                new org.springframework.amqp.core.Message(revoke.encode(codec.mapper()), properties),
                settings.confirmTimeout());
        broadcast(revoke);
    }

    /**
     * Tells Python Celery workers too, which do not read the revocation stream: the revoke goes out as Celery's own
     * remote control broadcast on {@code celery.pidbox}, marked as stored so that Celeriac workers, which hear it as
     * well, do not store it again. Like Celery's broadcasts it is best effort; the stored revoke stands either way.
     */
    private void broadcast(Revoke revoke) {
        var properties = new com.rabbitmq.client.AMQP.BasicProperties.Builder()
                .contentType(WireFormat.CONTENT_TYPE_JSON)
                .contentEncoding(WireFormat.CONTENT_ENCODING_UTF8)
                .deliveryMode(1)
                .headers(Map.of(MessageHeaders.CONTROL_CLOCK, eventClock.incrementAndGet()))
                .build();
        try (var channel = connectionFactory.createConnection().createChannel(false)) {
            // Declared as kombu's mailbox declares it, so that Celery clients and workers agree with it.
            channel.exchangeDeclare(TopologyNames.CONTROL_EXCHANGE, "fanout", false, false, null);
            channel.basicPublish(
                    TopologyNames.CONTROL_EXCHANGE, "", properties, revoke.encodeBroadcast(codec.mapper()));
        } catch (java.io.IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
            log.warn(
                    "the revoke of {} is stored for Celeriac workers but was not broadcast to Celery workers: {}",
                    revoke.taskIds(),
                    e.toString());
        }
    }

    private record Prepared(TaskMessage message, String queue, org.springframework.amqp.core.Message amqp) {}

    private record Pending(Prepared prepared, ConfirmedPublisher.Pending publish) {}

    private Prepared prepare(TaskRequest request) {
        TaskMessage message = factory.build(request, clock.instant());
        String queue = factory.queueOf(request);
        return new Prepared(message, queue, AmqpTaskMessages.toMessage(codec.encode(message)));
    }

    private Pending publish(Prepared prepared) {
        try {
            return new Pending(
                    prepared,
                    publisher.send(
                            prepared.message.id(),
                            TopologyNames.TASK_EXCHANGE,
                            prepared.queue,
                            prepared.queue,
                            prepared.amqp));
        } catch (PublishConnectionException e) {
            count(prepared, "connection_error");
            throw e;
        }
    }

    /** Histogram buckets of the confirm timer, so Prometheus can tell its percentiles across producers. */
    private static final Duration[] CONFIRM_BUCKETS = {
        Duration.ofNanos(500_000),
        Duration.ofMillis(1),
        Duration.ofMillis(2),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofSeconds(5)
    };

    private TaskHandle await(Pending pending, long deadlineNanos) {
        Prepared p = pending.prepared;
        try {
            pending.publish.await(deadlineNanos, settings.confirmTimeout());
        } catch (TaskPublishException e) {
            count(p, outcome(e));
            throw e;
        }
        Timer.builder(MetricNames.PUBLISH_CONFIRM)
                .tag(MetricNames.TAG_QUEUE, p.queue)
                .serviceLevelObjectives(CONFIRM_BUCKETS)
                .register(meters)
                .record(pending.publish.elapsedNanos(), TimeUnit.NANOSECONDS);
        count(p, "accepted");
        return new TaskHandle(
                p.message.id(), p.message.task(), p.queue, p.message.headers().eta(), Instant.now(clock));
    }

    /**
     * Sends Celery's task-sent events for accepted tasks, without waiting: they only inform monitors. The events of a
     * batch go as one {@code task.multi} message, as a Celery worker sends its task events.
     */
    private void announce(List<Prepared> accepted) {
        if (!settings.sendSentEvents() || accepted.isEmpty()) {
            return;
        }
        var sent = new ArrayList<TaskEvent.Sent>(accepted.size());
        for (Prepared p : accepted) {
            var h = p.message.headers();
            sent.add(new TaskEvent.Sent(
                    EventSource.now(settings.origin(), eventClock.incrementAndGet()),
                    h.id(),
                    h.task(),
                    h.argsrepr(),
                    h.kwargsrepr(),
                    h.retries(),
                    h.eta() == null ? null : CeleryTimes.format(h.eta()),
                    h.expires() == null ? null : CeleryTimes.format(h.expires()),
                    p.queue,
                    TopologyNames.TASK_EXCHANGE,
                    p.queue,
                    h.rootId(),
                    h.parentId(),
                    Map.of()));
        }
        var properties = new MessageProperties();
        properties.setContentType(WireFormat.CONTENT_TYPE_JSON);
        properties.setContentEncoding(WireFormat.CONTENT_ENCODING_UTF8);
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        boolean single = sent.size() == 1;
        try {
            publisher.send(
                    sent.getFirst().uuid(),
                    TopologyNames.EVENT_EXCHANGE,
                    single ? EventType.TASK_SENT.routingKey() : EventType.TASK_BATCH_ROUTING_KEY,
                    TopologyNames.EVENT_QUEUE,
                    new org.springframework.amqp.core.Message(
                            single ? events.encode(sent.getFirst()) : events.encodeBatch(sent), properties));
        } catch (TaskPublishException e) {
            // The tasks themselves are accepted; the ledger will learn of them from the worker's events instead.
        }
    }

    private static String outcome(TaskPublishException e) {
        return switch (e) {
            case PublishReturnedException ignored -> "returned";
            case PublishNackedException ignored -> "nacked";
            case PublishTimeoutException ignored -> "timeout";
            default -> "connection_error";
        };
    }

    private void count(Prepared p, String outcome) {
        Counter.builder(MetricNames.TASKS_SUBMITTED)
                .tag(MetricNames.TAG_TASK, p.message.task())
                .tag(MetricNames.TAG_QUEUE, p.queue)
                .tag(MetricNames.TAG_OUTCOME, outcome)
                .register(meters)
                .increment();
    }
}
