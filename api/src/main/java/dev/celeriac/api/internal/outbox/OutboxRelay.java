package dev.celeriac.api.internal.outbox;

import dev.celeriac.api.internal.Periodic;
import dev.celeriac.api.internal.ledger.LedgerDialect;
import dev.celeriac.api.internal.ledger.TaskProjection;
import dev.celeriac.api.internal.ledger.TaskStore;
import dev.celeriac.producer.PublishReturnedException;
import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.producer.amqp.TaskPublisher;
import dev.celeriac.protocol.names.MetricNames;
import dev.celeriac.protocol.state.TaskState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Publishes what an API left in the outbox when it stopped between committing a task and the broker's confirm: at
 * start and then every {@code interval}, every message older than {@code grace} (by then its own API has either
 * removed it or stopped) is published again and removed once confirmed, so that no accepted task stays PENDING
 * forever. A message whose task a worker has already reported was published after all and is only removed. Several
 * API instances relay at once without publishing the same message twice: each locks what it relays. On PostgreSQL it
 * also vacuums the outbox after each round ({@link OutboxStore#vacuum}).
 */
public final class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    /** Messages relayed per transaction. */
    static final int BATCH = 500;

    private final OutboxStore outbox;
    private final TaskStore tasks;
    private final TaskPublisher publisher;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final Duration grace;
    private final Duration interval;
    private final boolean vacuum;
    private final Counter republished;
    private final Periodic periodic;

    public OutboxRelay(
            OutboxStore outbox,
            TaskStore tasks,
            TaskPublisher publisher,
            TransactionTemplate transactions,
            Clock clock,
            Duration grace,
            Duration interval,
            LedgerDialect dialect,
            MeterRegistry meters) {
        this.outbox = outbox;
        this.tasks = tasks;
        this.publisher = publisher;
        this.transactions = transactions;
        this.clock = clock;
        this.grace = grace;
        this.interval = interval;
        this.vacuum = dialect == LedgerDialect.POSTGRESQL;
        this.republished = Counter.builder(MetricNames.OUTBOX_REPUBLISHED).register(meters);
        this.periodic = new Periodic(
                "celeriac-outbox-relay",
                Duration.ZERO,
                interval,
                this::relayAndVacuum,
                e -> log.warn("the outbox relay failed; it runs again in {}: {}", interval, e.toString()));
    }

    /** How old a message must be before it counts as left behind. */
    public Duration grace() {
        return grace;
    }

    /**
     * Relays every message left behind now.
     *
     * @return how many were published again
     */
    public int runOnce() {
        int published = 0;
        while (true) {
            Round round = transactions.execute(
                    status -> relay(outbox.lockStale(clock.instant().minus(grace), BATCH)));
            published += round.published();
            // Messages the broker refused stay, and are tried on the next run, not at once again.
            if (round.locked() < BATCH || round.kept() > 0) {
                return published;
            }
        }
    }

    /** What one batch of the relay did: locked, published again, kept for later. */
    private record Round(int locked, int published, int kept) {}

    /**
     * Publishes the task's message now if it is still in the outbox, waiting for whoever else is publishing it; for a
     * retried submit whose first attempt's API stopped.
     *
     * @return whether the task's message is published (it was already, or now is)
     * @throws TaskPublishException if the broker did not take it
     */
    public boolean publishNow(String taskId) {
        return Boolean.TRUE.equals(transactions.execute(status -> {
            var entry = outbox.lock(taskId);
            if (entry.isEmpty()) {
                return true;
            }
            publish(List.of(entry.get()), true);
            return true;
        }));
    }

    /**
     * Publishes messages just committed to the outbox (a chord's body) and removes those the broker confirmed; the
     * others stay for the relay's next round.
     */
    public void publishCommitted(List<OutboxStore.Entry> entries) {
        publish(entries, false);
    }

    /** Relays a locked batch. */
    private Round relay(List<OutboxStore.Entry> entries) {
        if (entries.isEmpty()) {
            return new Round(0, 0, 0);
        }
        Map<String, TaskState> states =
                tasks.statesOf(entries.stream().map(OutboxStore.Entry::taskId).toList());
        var seen = new ArrayList<String>();
        var waiting = new ArrayList<OutboxStore.Entry>();
        for (OutboxStore.Entry entry : entries) {
            TaskState state = states.get(entry.taskId());
            // A worker reported it (or it is gone from the ledger): its message was published after all.
            if (state == null || state != TaskState.PENDING) {
                seen.add(entry.taskId());
            } else {
                waiting.add(entry);
            }
        }
        outbox.remove(seen);
        Round round = publish(waiting, false);
        if (round.published() > 0) {
            log.info("published {} accepted tasks again that an API had left unconfirmed", round.published());
        }
        return new Round(entries.size(), round.published(), round.kept());
    }

    private Round publish(List<OutboxStore.Entry> entries, boolean strict) {
        var sent = new ArrayList<TaskPublisher.Sent>(entries.size());
        for (OutboxStore.Entry entry : entries) {
            sent.add(publisher.publish(entry.taskId(), entry.task(), null, entry.routingKey(), entry.message()));
        }
        long deadline = System.nanoTime() + publisher.confirmTimeout().toNanos();
        var done = new ArrayList<String>();
        int published = 0;
        int kept = 0;
        TaskPublishException refused = null;
        for (int i = 0; i < sent.size(); i++) {
            OutboxStore.Entry entry = entries.get(i);
            try {
                sent.get(i).await(deadline);
                done.add(entry.taskId());
                published++;
            } catch (PublishReturnedException e) {
                // Its queue is gone: it can never be delivered, and the ledger says so.
                tasks.write(List.of(TaskProjection.abandoned(
                        entry.taskId(),
                        entry.replay(),
                        "Unroutable",
                        "the queue '" + entry.routingKey() + "' no longer exists",
                        clock.instant())));
                done.add(entry.taskId());
            } catch (TaskPublishException e) {
                // Kept: it is tried again on the next round.
                log.warn("an accepted task {} could not be published again yet: {}", entry.taskId(), e.getMessage());
                refused = e;
                kept++;
            }
        }
        outbox.remove(done);
        republished.increment(published);
        if (strict && refused != null) {
            throw refused;
        }
        return new Round(entries.size(), published, kept);
    }

    private void relayAndVacuum() {
        runOnce();
        if (vacuum) {
            outbox.vacuum();
        }
    }

    @Override
    public void start() {
        periodic.start();
    }

    @Override
    public void stop() {
        periodic.stop();
    }

    @Override
    public boolean isRunning() {
        return periodic.isRunning();
    }
}
