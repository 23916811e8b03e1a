package dev.celeriac.worker.internal.events;

import dev.celeriac.producer.PublishConnectionException;
import dev.celeriac.producer.PublishTimeoutException;
import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.producer.amqp.ConfirmedPublisher;
import dev.celeriac.producer.amqp.TaskEventBatcher;
import dev.celeriac.protocol.event.CeleryEvent;
import dev.celeriac.protocol.event.EventCodec;
import dev.celeriac.protocol.event.EventSource;
import dev.celeriac.protocol.event.TaskEvent;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes Celery events to {@code celeryev}, persistent and confirmed, where the durable {@code celeriac.events}
 * queue keeps them for the ledger even while the API is down.
 *
 * <p>Task events are batched the way a Celery worker batches them ({@link TaskEventBatcher}): under load the events
 * of many tasks share one broker write instead of one each. Events about a task's outcome are awaited (their batch's
 * confirm) before the task message is acked; the others are sent without waiting. Worker events (online, heartbeat,
 * offline) are published directly.
 */
public final class EventPublisher implements AutoCloseable {

    private final ConfirmedPublisher publisher;
    private final TaskEventBatcher batcher;
    private final String hostname;
    private final Duration timeout;
    private volatile boolean taskEvents;
    private final AtomicLong clock = new AtomicLong();

    /**
     * @param taskEvents whether task events are sent; when not, only worker events (online, heartbeat, offline) are
     */
    public EventPublisher(
            ConfirmedPublisher publisher, EventCodec codec, String hostname, Duration timeout, boolean taskEvents) {
        this.publisher = publisher;
        this.batcher = new TaskEventBatcher(publisher, codec, hostname, "celeriac-events");
        this.hostname = hostname;
        this.timeout = timeout;
        this.taskEvents = taskEvents;
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
        if (!(event instanceof TaskEvent task)) {
            batcher.publishNow(id, event);
        } else if (taskEvents) {
            batcher.send(id, task);
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
            batcher.publishNow(id, event).await(deadline, timeout);
            return;
        }
        if (!taskEvents) {
            return;
        }
        CompletableFuture<ConfirmedPublisher.Pending> published = batcher.send(id, task);
        long mark = publisher.blockMark();
        ConfirmedPublisher.Pending pending;
        try {
            // Batches wait for a free slot behind the ones awaiting their confirms, so a broker's resource alarm holds
            // them here as well: the wait goes on while it lasts.
            pending = publisher.awaitUnblocked(published, deadline, mark, timeout);
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

    /** Sends what is waiting, then stops the sender thread. */
    @Override
    public void close() throws InterruptedException {
        batcher.close(timeout.toMillis());
    }
}
