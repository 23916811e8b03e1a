package dev.celeriac.producer.internal;

import com.rabbitmq.client.AMQP;
import dev.celeriac.producer.BatchPublishException;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskHandle;
import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.producer.Workflow;
import dev.celeriac.producer.WorkflowHandle;
import dev.celeriac.producer.WorkflowResults;
import dev.celeriac.producer.amqp.BrokerConnections;
import dev.celeriac.producer.amqp.ChordDefinitions;
import dev.celeriac.producer.amqp.ConfirmedPublisher;
import dev.celeriac.producer.amqp.RevocationPublisher;
import dev.celeriac.producer.amqp.TaskPublisher;
import dev.celeriac.producer.tracing.TaskObservations;
import dev.celeriac.protocol.canvas.CanvasMessages;
import dev.celeriac.protocol.control.Revoke;
import dev.celeriac.protocol.event.EventCodec;
import dev.celeriac.protocol.event.EventSource;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.message.TaskMessageCodec;
import dev.celeriac.protocol.names.MessageHeaders;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.protocol.names.WireFormat;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;

/**
 * The {@link TaskClient} on RabbitMQ: persistent, mandatory publishes to {@code celeriac.tasks} on the publisher
 * connection (so a blocked publisher never holds up a consumer's acks), each awaited through a correlated publisher
 * confirm by {@link ConfirmedPublisher}. Returns are seen before the confirm completes, so an unroutable task is never
 * reported accepted.
 */
public final class RabbitTaskClient implements TaskClient, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RabbitTaskClient.class);

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
    private final TaskPublisher tasks;
    private final RevocationPublisher revocations;
    private final SentEvents sentEvents;
    private final ConnectionFactory connectionFactory;
    private final AtomicLong eventClock = new AtomicLong();
    private final ChordDefinitions chordDefinitions;
    private final TaskMessageCodec codec;
    private final Settings settings;
    private final EventCodec events;
    private final ReplyQueue replies;
    private final Clock clock;

    /**
     * Creates a client on the given connection factory, which must have correlated publisher confirms and returns
     * enabled ({@code spring.rabbitmq.publisher-confirm-type=correlated}, {@code spring.rabbitmq.publisher-returns=true};
     * the Celeriac starter sets both by default), publishing to the nodes of {@code broker}.
     *
     * @throws IllegalStateException if confirms or returns are off
     */
    public RabbitTaskClient(
            ConnectionFactory connectionFactory,
            BrokerConnections broker,
            TaskMessageCodec codec,
            Settings settings,
            MeterRegistry meters,
            TaskObservations observations,
            Clock clock) {
        this.publisher = new ConfirmedPublisher(connectionFactory, broker);
        this.tasks = new TaskPublisher(
                publisher,
                codec,
                settings.defaultQueue(),
                settings.origin(),
                settings.confirmTimeout(),
                meters,
                observations,
                clock);
        this.revocations = new RevocationPublisher(publisher, codec.mapper(), settings.confirmTimeout());
        this.events = new EventCodec(codec.mapper());
        this.replies = new ReplyQueue(broker, codec.mapper());
        this.sentEvents = new SentEvents(publisher, events, settings.confirmTimeout(), meters);
        this.chordDefinitions = new ChordDefinitions(publisher, events);
        this.connectionFactory = connectionFactory;
        this.codec = codec;
        this.settings = settings;
        this.clock = clock;
    }

    /** Closes the publishing connection (the application context does, when it closes). */
    @Override
    public void close() {
        replies.close();
        sentEvents.close();
        publisher.close();
    }

    @Override
    public TaskHandle submit(TaskRequest request) {
        TaskPublisher.Prepared prepared = tasks.prepare(request);
        Instant published = Instant.now();
        TaskHandle handle = tasks.publish(prepared)
                .await(System.nanoTime() + settings.confirmTimeout().toNanos());
        announce(List.of(prepared), published);
        return handle;
    }

    @Override
    public List<TaskHandle> submitAll(List<TaskRequest> requests) {
        var prepared = new ArrayList<TaskPublisher.Prepared>(requests.size());
        for (TaskRequest request : requests) {
            prepared.add(tasks.prepare(request)); // every request is validated before any is sent
        }
        return publishAll(prepared);
    }

    @Override
    public WorkflowHandle submit(Workflow workflow) {
        return submit(WorkflowCanvas.freeze(workflow, codec.mapper()));
    }

    @Override
    public WorkflowResults submitForResults(Workflow workflow) {
        WorkflowCanvas.Frozen frozen = WorkflowCanvas.freeze(workflow, codec.mapper(), replies.open());
        var results = new ArrayList<CompletableFuture<WorkflowResults.Result>>();
        for (int i = 0; i < frozen.resultIds().size(); i++) {
            results.add(replies.expect(frozen.resultIds().get(i), i));
        }
        try {
            return new WorkflowResults(submit(frozen), results);
        } catch (RuntimeException e) {
            replies.forget(frozen.resultIds());
            throw e;
        }
    }

    private WorkflowHandle submit(WorkflowCanvas.Frozen frozen) {
        String root = frozen.taskIds().isEmpty()
                ? UUID.randomUUID().toString()
                : frozen.taskIds().getFirst();
        var start = new CanvasMessages.Start(
                null, root, settings.defaultQueue(), null, settings.origin(), clock.instant(), root);
        CanvasMessages.Launch launch = CanvasMessages.launch(frozen.canvas(), start);
        var prepared = new ArrayList<TaskPublisher.Prepared>();
        for (CanvasMessages.Outgoing first : launch.messages()) {
            prepared.add(tasks.prepare(first.message(), first.queue()));
        }
        for (CanvasMessages.ChordStart chord : launch.chords()) {
            define(chord);
        }
        return new WorkflowHandle(root, frozen.taskIds(), frozen.resultIds(), publishAll(prepared));
    }

    /** Tells the ledger of a chord, confirmed, before any of its header tasks is sent. */
    private void define(CanvasMessages.ChordStart chord) {
        chordDefinitions
                .send(chord, EventSource.at(Instant.now(), settings.origin(), eventClock.incrementAndGet()))
                .await(settings.confirmTimeout());
    }

    /** Publishes tasks together, then awaits every confirm. */
    private List<TaskHandle> publishAll(List<TaskPublisher.Prepared> prepared) {
        Instant sentAt = Instant.now();
        var sent = new ArrayList<TaskPublisher.Sent>(prepared.size());
        var sentPrepared = new ArrayList<TaskPublisher.Prepared>(prepared.size());
        var failures = new LinkedHashMap<String, TaskPublishException>();
        for (TaskPublisher.Prepared p : prepared) {
            try {
                sent.add(tasks.publish(p));
                sentPrepared.add(p);
            } catch (TaskPublishException e) {
                failures.put(p.id(), e);
            }
        }
        long deadline = System.nanoTime() + settings.confirmTimeout().toNanos();
        var accepted = new ArrayList<TaskHandle>(sent.size());
        var announced = new ArrayList<TaskPublisher.Prepared>(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            try {
                accepted.add(sent.get(i).await(deadline));
                announced.add(sentPrepared.get(i));
            } catch (TaskPublishException e) {
                failures.put(sent.get(i).id(), e);
            }
        }
        announce(announced, sentAt);
        if (!failures.isEmpty()) {
            throw new BatchPublishException(accepted, failures);
        }
        return accepted;
    }

    @Override
    public void revoke(String taskId, boolean terminate) {
        revoke(taskId, terminate, null);
    }

    @Override
    public void revoke(String taskId, boolean terminate, Instant until) {
        Revoke revoke = new Revoke(List.of(taskId), terminate, null, until);
        revocations.publish(revoke);
        broadcast(revoke);
    }

    /**
     * Tells Python Celery workers too, which do not read the revocation stream: the revoke goes out as Celery's own
     * remote control broadcast on {@code celery.pidbox}, marked as stored so that Celeriac workers, which hear it as
     * well, do not store it again. Like Celery's broadcasts it is best effort; the stored revoke stands either way.
     */
    private void broadcast(Revoke revoke) {
        var properties = new AMQP.BasicProperties.Builder()
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
        } catch (IOException | TimeoutException | RuntimeException e) {
            log.warn(
                    "the revoke of {} is stored for Celeriac workers but was not broadcast to Celery workers: {}",
                    revoke.taskIds(),
                    e.toString());
        }
    }

    /**
     * Sends Celery's task-sent events for accepted tasks, so that the ledger knows them as PENDING before a worker
     * takes them. The events of a batch go as one {@code task.multi} message, as a Celery worker sends its task
     * events; the caller does not wait for them, but they are confirmed, and sent again while the broker does not
     * take them. Each event says when its task was published, not when it was confirmed: a worker may have taken
     * the task in between, and the ledger orders a task's history by the time of each event.
     */
    private void announce(List<TaskPublisher.Prepared> accepted, Instant published) {
        if (!settings.sendSentEvents() || accepted.isEmpty()) {
            return;
        }
        var sent = new ArrayList<TaskEvent.Sent>(accepted.size());
        for (TaskPublisher.Prepared p : accepted) {
            sent.add(TaskEvent.Sent.of(
                    EventSource.at(published, settings.origin(), eventClock.incrementAndGet()),
                    p.message(),
                    p.queue(),
                    TopologyNames.TASK_EXCHANGE));
        }
        sentEvents.send(sent);
    }
}
