package dev.celeriac.producer.internal;

import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.producer.amqp.ConfirmedPublisher;
import dev.celeriac.producer.amqp.TaskEventBatcher;
import dev.celeriac.protocol.event.EventCodec;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.names.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends task-sent events without holding up the submit that accepted their tasks, and makes sure they arrive: they
 * go out batched with the events of concurrent submits ({@link TaskEventBatcher}), each message is confirmed, and an
 * event whose message the broker did not take (a nack, a return while the event queue is missing, a lost connection,
 * no confirm in time) is sent again, with a growing pause, until it is taken or the client closes. A task whose event
 * was still lost (the process ended first) becomes known to the ledger from its worker's task-received.
 */
final class SentEvents implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SentEvents.class);

    /** Most events waiting to be sent again; beyond it the newest failures are given up on (and the worker tells). */
    static final int MAX_WAITING = 100_000;

    private static final Duration FIRST_PAUSE = Duration.ofMillis(200);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(30);

    private final TaskEventBatcher batcher;
    private final Duration confirmTimeout;
    private final AtomicInteger waiting = new AtomicInteger();
    private final Counter resent;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("celeriac-sent-events-retry").daemon().factory());

    SentEvents(ConfirmedPublisher publisher, EventCodec codec, Duration confirmTimeout, MeterRegistry meters) {
        this.batcher = new TaskEventBatcher(publisher, codec, null, "celeriac-sent-events");
        this.confirmTimeout = confirmTimeout;
        this.resent = Counter.builder(MetricNames.SENT_EVENTS_RESENT).register(meters);
    }

    /** Sends the events and returns without waiting for their confirm. */
    void send(List<TaskEvent.Sent> events) {
        for (TaskEvent.Sent event : events) {
            attempt(event, FIRST_PAUSE, false);
        }
    }

    private void attempt(TaskEvent.Sent event, Duration pause, boolean retry) {
        if (retry) {
            resent.increment();
        }
        batcher.send(event.uuid(), event).whenComplete((pending, notSent) -> {
            if (notSent != null) {
                later(event, pause, notSent, retry);
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
                            later(event, pause, e, retry);
                        }
                    });
        });
    }

    private void later(TaskEvent.Sent event, Duration pause, Throwable cause, boolean retry) {
        if (!retry && waiting.incrementAndGet() > MAX_WAITING) {
            waiting.decrementAndGet();
            log.warn(
                    "gave up on the task-sent event of {}: {} are already waiting to be sent again",
                    event.uuid(),
                    MAX_WAITING);
            return;
        }
        if (!retry) {
            log.info("the task-sent event of {} was not taken, sending it again: {}", event.uuid(), cause.getMessage());
        }
        Duration next = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
        try {
            retries.schedule(() -> attempt(event, next, true), pause.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            waiting.decrementAndGet();
        }
    }

    @Override
    public void close() {
        retries.shutdownNow();
        try {
            batcher.close(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
