package dev.celeriac.api.internal.recorder;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.celeriac.api.internal.ledger.TaskChange;
import dev.celeriac.api.internal.ledger.TaskCompletions;
import dev.celeriac.api.internal.ledger.TaskProjection;
import dev.celeriac.api.internal.ledger.TaskStore;
import dev.celeriac.api.internal.outbox.OutboxStore;
import dev.celeriac.api.internal.workflow.ChordJoins;
import dev.celeriac.api.internal.workflow.ChordStore;
import dev.celeriac.api.workers.WorkerRegistry;
import dev.celeriac.producer.amqp.BrokerConnections;
import dev.celeriac.producer.amqp.Subscription;
import dev.celeriac.protocol.event.CeleryEvent;
import dev.celeriac.protocol.event.EventCodec;
import dev.celeriac.protocol.event.ScheduleEvent;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.event.WorkerEvent;
import dev.celeriac.protocol.event.WorkflowEvent;
import dev.celeriac.protocol.message.MalformedMessageException;
import dev.celeriac.protocol.names.MetricNames;
import dev.celeriac.protocol.names.TopologyNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Reads {@code celeriac.events} into the ledger. Deliveries are gathered into batches (whatever has arrived while the
 * last batch was written, up to {@code batchSize} messages), the events of each task merged in memory
 * ({@link TaskProjection#fold}: a task that starts and finishes within a batch costs one row write, not four), written
 * with one statement in one transaction, and acked only after it commits; if the database fails, nothing is acked and
 * the same batch is tried again, so no event is lost while the ledger is down and events simply wait in their durable
 * queue while the API is stopped. Several API instances may record at once: the store merges by precedence.
 */
public final class EventRecorder implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);

    private record Delivery(long tag, byte[] body) {}

    private final BrokerConnections broker;
    private final TaskStore tasks;
    private final TaskProjection projection;
    private final TaskCompletions completions;
    private final WorkerRegistry workers;
    private final ChordStore chords;
    private final ChordJoins joins;
    private final TransactionTemplate transactions;
    private final EventCodec codec;
    private final Consumer<List<ScheduleEvent.Declared>> schedulesDeclared;
    private final int batchSize;
    private final BlockingQueue<Delivery> inbox = new LinkedBlockingQueue<>();
    private volatile boolean running;
    private volatile double lagSeconds;
    private Counter taskEventsRecorded;
    private Counter workerEventsRecorded;
    private Connection connection;
    private Channel channel;
    private Thread worker;

    public EventRecorder(
            BrokerConnections broker,
            TaskStore tasks,
            TaskProjection projection,
            TaskCompletions completions,
            WorkerRegistry workers,
            ChordStore chords,
            ChordJoins joins,
            TransactionTemplate transactions,
            EventCodec codec,
            Consumer<List<ScheduleEvent.Declared>> schedulesDeclared,
            int batchSize) {
        this.broker = broker;
        this.tasks = tasks;
        this.projection = projection;
        this.completions = completions;
        this.workers = workers;
        this.chords = chords;
        this.joins = joins;
        this.transactions = transactions;
        this.codec = codec;
        this.schedulesDeclared = schedulesDeclared;
        this.batchSize = batchSize;
    }

    /** Registers the recorder's meters: events recorded by kind, and the lag of the last batch. */
    public void bindTo(MeterRegistry registry) {
        taskEventsRecorded = Counter.builder(MetricNames.RECORDER_EVENTS)
                .tag(MetricNames.TAG_KIND, "task")
                .register(registry);
        workerEventsRecorded = Counter.builder(MetricNames.RECORDER_EVENTS)
                .tag(MetricNames.TAG_KIND, "worker")
                .register(registry);
        Gauge.builder(MetricNames.RECORDER_LAG, this, r -> r.lagSeconds)
                .baseUnit("seconds")
                .register(registry);
    }

    @Override
    public synchronized void start() {
        try {
            connection = broker.open("celeriac-api-recorder");
            channel = Subscription.to(connection, TopologyNames.EVENT_QUEUE)
                    .name("celeriac-recorder")
                    .prefetch(batchSize * 2)
                    .start((events, envelope, properties, body) ->
                            inbox.add(new Delivery(envelope.getDeliveryTag(), body)))
                    .channel();
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("the event recorder could not connect to RabbitMQ", e);
        }
        running = true;
        worker = Thread.ofPlatform().name("celeriac-recorder").start(this::run);
    }

    private void run() {
        var batch = new ArrayList<Delivery>(batchSize);
        while (running) {
            try {
                if (batch.isEmpty()) {
                    Delivery first = inbox.poll(200, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    inbox.drainTo(batch, batchSize - 1);
                }
                record(batch);
                channel.basicAck(batch.getLast().tag(), true);
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | IOException e) {
                // The batch stays unacked and is tried again: the ledger may be down for a while.
                log.warn("could not record {} events, trying again: {}", batch.size(), e.toString());
                sleepQuietly(1_000);
            }
        }
    }

    private void record(List<Delivery> batch) {
        var events = new ArrayList<TaskEvent>();
        var workerEvents = new ArrayList<WorkerEvent>();
        var chordsDefined = new ArrayList<WorkflowEvent.ChordDefined>();
        var schedules = new ArrayList<ScheduleEvent.Declared>();
        for (Delivery delivery : batch) {
            try {
                for (CeleryEvent event : codec.decode(delivery.body())) {
                    switch (event) {
                        case TaskEvent task -> events.add(task);
                        case WorkerEvent worker -> workerEvents.add(worker);
                        case WorkflowEvent.ChordDefined chord -> chordsDefined.add(chord);
                        case ScheduleEvent.Declared schedule -> schedules.add(schedule);
                    }
                }
            } catch (MalformedMessageException e) {
                log.warn("skipped an event message that is not a Celery event: {}", e.getMessage());
            }
        }
        List<List<TaskChange>> rounds = projection.fold(events);
        List<String> finished = rounds.stream()
                .flatMap(List::stream)
                .filter(c -> c.state().isTerminal())
                .map(TaskChange::id)
                .toList();
        List<OutboxStore.Entry> started = transactions.execute(status -> {
            workers.applyAll(workerEvents);
            rounds.forEach(tasks::write);
            // The joins see this batch's states: a chord completed by it starts its body in the same commit.
            chords.define(chordsDefined, Instant.now());
            return joins.decide(joins.touchedBy(
                    finished,
                    chordsDefined.stream()
                            .map(WorkflowEvent.ChordDefined::chordId)
                            .toList()));
        });
        joins.publish(started);
        if (!schedules.isEmpty()) {
            // Before the batch is acked: a declaration the database could not take is heard again.
            schedulesDeclared.accept(schedules);
        }
        // After the commit, waiters read what is now stored. A terminal change leaves its task terminal.
        completions.finished(finished);
        double oldest = Double.MAX_VALUE;
        for (TaskEvent event : events) {
            oldest = Math.min(oldest, event.source().timestamp());
        }
        if (!events.isEmpty()) {
            lagSeconds = Math.max(0, System.currentTimeMillis() / 1000.0 - oldest);
        }
        if (taskEventsRecorded != null) {
            taskEventsRecorded.increment(events.size());
            workerEventsRecorded.increment(workerEvents.size());
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (worker != null) {
            worker.interrupt();
            try {
                worker.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            if (connection != null) {
                connection.close(); // unacked events go back to the queue
            }
        } catch (IOException | RuntimeException e) {
            log.debug("closing the recorder connection: {}", e.toString());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
