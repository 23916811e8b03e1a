package dev.celeriac.api.queues;

import dev.celeriac.api.deadletters.DeadLetterStore;
import dev.celeriac.api.internal.SharedReading;
import dev.celeriac.api.workers.WorkerRegistry;
import dev.celeriac.protocol.names.TopologyNames;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.QueueInformation;

/**
 * One reading of every work queue, from the broker (ready messages, consumers, messages not yet collected from the
 * dead-letter queue, events waiting for the recorder) and the ledger (dead letters kept for replay, workers alive). Readings are shared for a second,
 * so a Prometheus scrape of many gauges costs one round of queries.
 */
public final class QueueStatistics {

    /** A work queue as last read. {@code deadLetters} counts those kept by the API and those still in the broker. */
    public record QueueView(String name, long ready, int consumers, int workers, long deadLetters) {}

    /** All work queues, the number of workers alive and the events waiting for the recorder, as read at {@code at}. */
    public record Snapshot(Instant at, List<QueueView> queues, int workersUp, long eventBacklog) {

        /** The queue of that name, or one with every figure 0. */
        public QueueView queue(String name) {
            return queues.stream()
                    .filter(q -> q.name().equals(name))
                    .findFirst()
                    .orElse(new QueueView(name, 0, 0, 0, 0));
        }
    }

    private static final Duration SHARED_FOR = Duration.ofSeconds(1);

    private final List<String> workQueues;
    private final AmqpAdmin admin;
    private final DeadLetterStore deadLetters;
    private final WorkerRegistry workers;
    private final SharedReading<Snapshot> reading;

    public QueueStatistics(
            List<String> workQueues,
            AmqpAdmin admin,
            DeadLetterStore deadLetters,
            WorkerRegistry workers,
            Clock clock) {
        this.workQueues = List.copyOf(workQueues);
        this.admin = admin;
        this.deadLetters = deadLetters;
        this.workers = workers;
        this.reading = new SharedReading<>(SHARED_FOR, clock, this::take);
    }

    /** The work queues' names, as configured. */
    public List<String> workQueues() {
        return workQueues;
    }

    /** A fresh reading, or the previous one when it is under a second old. */
    public Snapshot read() {
        return reading.get();
    }

    private Snapshot take(Instant now) {
        List<WorkerRegistry.Worker> alive = workers.alive(now);
        List<QueueView> queues = workQueues.stream()
                .map(name -> {
                    QueueInformation queue = info(name);
                    QueueInformation dead = info(TopologyNames.deadLetterQueue(name));
                    int serving = (int) alive.stream()
                            .filter(w -> w.queues().contains(name))
                            .count();
                    return new QueueView(
                            name,
                            queue == null ? 0 : queue.getMessageCount(),
                            queue == null ? 0 : queue.getConsumerCount(),
                            serving,
                            deadLetters.count(name) + (dead == null ? 0 : dead.getMessageCount()));
                })
                .toList();
        QueueInformation events = info(TopologyNames.EVENT_QUEUE);
        return new Snapshot(now, queues, alive.size(), events == null ? 0 : events.getMessageCount());
    }

    /** The broker's view of a queue, or null while the broker cannot tell (a missing queue, a lost connection). */
    private QueueInformation info(String queue) {
        try {
            return admin.getQueueInfo(queue);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
