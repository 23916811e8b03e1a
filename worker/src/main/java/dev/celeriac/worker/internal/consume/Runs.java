package dev.celeriac.worker.internal.consume;

import static dev.celeriac.worker.internal.consume.TaskEvents.attempt;
import static dev.celeriac.worker.internal.consume.TaskEvents.etaText;
import static dev.celeriac.worker.internal.consume.TaskEvents.withRun;

import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.message.TimeLimit;
import dev.celeriac.protocol.names.MessageHeaders;
import dev.celeriac.worker.TimeLimitExceededException;
import dev.celeriac.worker.internal.retry.Decision;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The second step of a delivery: a task admitted to run, holding its pool slot, runs on the pool's threads within its
 * soft and hard time limits, as a span of the trace its message carries, and what it did (returned, threw, was
 * terminated or abandoned at its hard limit) becomes the {@link Outcome} that the {@link Settler} settles.
 */
final class Runs {

    private static final Logger log = LoggerFactory.getLogger(Runs.class);

    private final TaskRunner.Services s;
    private final Settler settler;
    private final ScheduledExecutorService timers;
    private final ExecutorService finishers;
    private final int maxAbandoned;
    private final Map<String, Execution> running = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> totals = new ConcurrentHashMap<>();
    private volatile Runnable onTooManyAbandoned = () -> {};

    Runs(
            TaskRunner.Services services,
            Settler settler,
            ScheduledExecutorService timers,
            ExecutorService finishers,
            int maxAbandoned) {
        this.s = services;
        this.settler = settler;
        this.timers = timers;
        this.finishers = finishers;
        this.maxAbandoned = maxAbandoned;
    }

    void onTooManyAbandoned(Runnable action) {
        this.onTooManyAbandoned = action;
    }

    /** The runs admitted and not yet settled, by task id. */
    Map<String, Execution> running() {
        return running;
    }

    long processed() {
        return totals.values().stream().mapToLong(LongAdder::sum).sum();
    }

    Map<String, Long> totals() {
        var counts = new TreeMap<String, Long>();
        totals.forEach((task, count) -> counts.put(task, count.sum()));
        return counts;
    }

    void start(Execution run) {
        TaskMessage task = run.task;
        running.put(task.id(), run);
        var timestamp = run.message.getMessageProperties().getTimestamp();
        Instant ready = later(
                timestamp == null ? null : timestamp.toInstant(), task.headers().eta());
        if (ready != null) {
            s.metrics().queueWait(task.task(), run.queue, Duration.between(ready, run.admittedAt));
        }
        sendQuietly(
                task.id(),
                new TaskEvent.Received(
                        s.events().source(),
                        task.id(),
                        task.task(),
                        task.headers().argsrepr(),
                        task.headers().kwargsrepr(),
                        task.headers().retries(),
                        etaText(task),
                        task.headers().rootId(),
                        task.headers().parentId(),
                        withRun(task, Map.of("queue", run.queue))));
        try {
            run.pool.execute(() -> execute(run));
        } catch (RuntimeException e) {
            running.remove(task.id());
            run.abort();
            run.delivery.requeue();
            log.error("could not start task {}; it goes back to its queue", task.id(), e);
        }
    }

    private void execute(Execution run) {
        run.started(s.clock().instant());
        TimeLimit limits = run.limits();
        ScheduledFuture<?> soft = limits.soft() == null
                ? null
                : timers.schedule(run::interrupt, limits.soft().toNanos(), TimeUnit.NANOSECONDS);
        ScheduledFuture<?> hard = limits.hard() == null
                ? null
                : timers.schedule(
                        () -> hardLimit(run, limits.hard()), limits.hard().toNanos(), TimeUnit.NANOSECONDS);
        Execution.Attempt attempt;
        run.observation = s.observations()
                .run(
                        run.task.task(),
                        run.task.id(),
                        run.queue,
                        run.message.getMessageProperties().getHeaders());
        try (var logged = TaskLogContext.of(run.task, run.queue);
                var traced = run.observation.openScope()) {
            sendQuietly(run.task.id(), new TaskEvent.Started(s.events().source(), run.task.id(), attempt(run.task)));
            JsonNode result = s.invoker()
                    .invoke(
                            run.definition,
                            run.task.body().args(),
                            run.task.body().kwargs(),
                            run);
            attempt = new Execution.Attempt.Returned(result, run.elapsed());
        } catch (Throwable failure) {
            attempt = new Execution.Attempt.Threw(failure, run.elapsed());
        } finally {
            if (soft != null) {
                soft.cancel(false);
            }
            if (hard != null) {
                hard.cancel(false);
            }
            Thread.interrupted(); // a late soft-limit interrupt must not leak into the next task on this thread
        }
        if (attempt instanceof Execution.Attempt.Threw threw) {
            run.observation.error(threw.failure());
        }
        run.observation.stop();
        if (run.end(attempt)) {
            Execution.Attempt ended = attempt;
            finishers.execute(() -> finish(run, ended));
        } else if (run.abandoned) {
            run.pool.abandonedFinished();
            log.info("abandoned task {} finished after its hard time limit; its result is dropped", run.task.id());
        }
    }

    private void hardLimit(Execution run, Duration limit) {
        var failed = new Execution.Attempt.Threw(new TimeLimitExceededException(run.task.task(), limit), run.elapsed());
        if (!run.end(failed)) {
            return;
        }
        run.abandoned = true;
        int abandoned = run.pool.abandon();
        log.warn(
                "task {} ({}) passed its hard time limit of {}; its slot is freed and the attempt failed",
                run.task.id(),
                run.task.task(),
                limit);
        finishers.execute(() -> finish(run, failed));
        if (abandoned > maxAbandoned) {
            log.error(
                    "{} threads of pool '{}' still run abandoned tasks (limit {}); the worker recycles itself",
                    abandoned,
                    run.pool.name(),
                    maxAbandoned);
            onTooManyAbandoned.run();
        }
    }

    /** Interrupts the task if it is running here (a revoke with terminate). */
    void terminate(String taskId) {
        Execution run = running.get(taskId);
        if (run != null) {
            run.terminated = true;
            run.interrupt();
        }
    }

    private void finish(Execution run, Execution.Attempt attempt) {
        TaskMessage task = run.task;
        Outcome outcome = switch (attempt) {
            case Execution.Attempt.Returned returned ->
                new Outcome.Success(task, returned.result(), returned.runtime());
            case Execution.Attempt.Threw threw
            when run.terminated -> new Outcome.Revoked(task, Revocation.TERMINATED, threw.runtime());
            case Execution.Attempt.Threw threw -> afterFailure(run, threw);
        };
        try (var logged = TaskLogContext.of(task, run.queue)) {
            if (settler.settle(outcome, run.queue, run.message, run.delivery)) {
                totals.computeIfAbsent(task.task(), name -> new LongAdder()).increment();
            }
        } finally {
            run.retryPublish.stop();
            running.remove(task.id(), run);
        }
    }

    /** A failed attempt runs again later or is dead-lettered, as its retry policy and the message say. */
    private Outcome afterFailure(Execution run, Execution.Attempt.Threw threw) {
        TaskMessage task = run.task;
        Integer maxRetries =
                task.headers().extra().get(MessageHeaders.MAX_RETRIES) instanceof Number n ? n.intValue() : null;
        Decision decision = s.classifier()
                .classify(
                        threw.failure(),
                        run.definition.retryPolicy(),
                        task.headers().retries(),
                        maxRetries);
        return switch (decision) {
            case Decision.Retry retry -> {
                // The retry's publish is a span of the run that failed, and the next run a child of it.
                var next = s.observations()
                        .publishing(
                                new TaskMessage(
                                        task.properties(),
                                        task.headers().toBuilder()
                                                .retries(task.headers().retries() + 1)
                                                .eta(s.clock().instant().plus(retry.delay()))
                                                .build(),
                                        task.body()),
                                run.queue,
                                run.observation);
                run.retryPublish = next.observation();
                yield new Outcome.Retry(task, next.message(), retry.delay(), threw.failure(), threw.runtime());
            }
            case Decision.DeadLetter dead -> new Outcome.Failure(task, dead.reason(), threw.failure(), threw.runtime());
        };
    }

    private void sendQuietly(String id, TaskEvent event) {
        try {
            s.events().send(id, event);
        } catch (TaskPublishException e) {
            log.warn("event {} of task {} was not sent: {}", event.type().wireName(), id, e.getMessage());
        }
    }

    private static Instant later(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }

    /** Hands every running task back to its queue, interrupting it (the end of a shutdown's grace period). */
    void requeueRunning() {
        for (Execution run : running.values()) {
            if (run.delivery.requeue()) {
                log.warn(
                        "task {} did not finish within the shutdown grace period; it goes back to its queue",
                        run.task.id());
            }
            run.interrupt();
        }
    }
}
