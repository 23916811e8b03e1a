package dev.celeriac.worker.consume;

import static dev.celeriac.worker.consume.TaskEvents.attempt;
import static dev.celeriac.worker.consume.TaskEvents.etaText;
import static dev.celeriac.worker.consume.TaskEvents.withRun;

import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.producer.amqp.ConfirmedPublisher;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.message.TaskMessageCodec;
import dev.celeriac.protocol.message.TimeLimit;
import dev.celeriac.protocol.names.MessageHeaders;
import dev.celeriac.worker.TimeLimitExceededException;
import dev.celeriac.worker.control.ActiveTask;
import dev.celeriac.worker.control.Revocations;
import dev.celeriac.worker.deadletter.DeadLetterPublisher;
import dev.celeriac.worker.dispatch.TaskInvoker;
import dev.celeriac.worker.dispatch.TaskRegistry;
import dev.celeriac.worker.events.EventPublisher;
import dev.celeriac.worker.metrics.WorkerMetrics;
import dev.celeriac.worker.pool.TaskPool;
import dev.celeriac.worker.ratelimit.RateLimiter;
import dev.celeriac.worker.results.ResultReplies;
import dev.celeriac.worker.retry.Decision;
import dev.celeriac.worker.retry.DelayPublisher;
import dev.celeriac.worker.retry.FailureClassifier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import tools.jackson.databind.JsonNode;

/**
 * The life of one delivered task message, ack last, in three steps: the {@link Gate} decides what the delivery is
 * for; a task admitted to run takes a slot of its queue's pool and runs within its time limits (an
 * {@link Execution}); the {@link Settler} publishes its {@link Outcome}, waits for the broker's confirms, and only
 * then acks. A crash at any point leaves the message unacked, so the broker delivers it again: execution is
 * at-least-once.
 */
public final class TaskRunner {

    private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);

    /** Collaborators of the runner. */
    public record Services(
            TaskMessageCodec codec,
            TaskRegistry registry,
            TaskInvoker invoker,
            FailureClassifier classifier,
            ConfirmedPublisher publisher,
            EventPublisher events,
            DeadLetterPublisher deadLetters,
            DelayPublisher delays,
            Revocations revocations,
            RateLimiter limiter,
            WorkerMetrics metrics,
            ResultReplies replies,
            Duration publishTimeout,
            Clock clock) {}

    private final Services s;
    private final Gate gate;
    private final Settler settler;
    private final ScheduledExecutorService timers;
    private final ExecutorService finishers;
    private final Map<String, Execution> running = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> totals = new ConcurrentHashMap<>();
    private volatile Runnable onTooManyAbandoned = () -> {};
    private final int maxAbandoned;

    public TaskRunner(Services services, ScheduledExecutorService timers, ExecutorService finishers, int maxAbandoned) {
        this.s = services;
        this.gate = new Gate(
                services.codec(),
                services.registry(),
                services.revocations(),
                services.limiter(),
                services.clock(),
                services.events().hostname());
        this.settler = new Settler(
                new AckLast(),
                new Settler.Publishers(
                        services.publisher(),
                        services.events(),
                        services.replies(),
                        services.deadLetters(),
                        services.delays(),
                        services.publishTimeout()),
                services.metrics());
        this.timers = timers;
        this.finishers = finishers;
        this.maxAbandoned = maxAbandoned;
        services.revocations().onTerminate(this::terminate);
    }

    /** Sets what to do when a pool's abandoned threads pass the limit (the worker drains and exits). */
    public void onTooManyAbandoned(Runnable action) {
        this.onTooManyAbandoned = action;
    }

    /** The event publisher of this worker. */
    public EventPublisher events() {
        return s.events();
    }

    /** Tasks running now. */
    public int active() {
        return running.size();
    }

    /** Tasks finished since start. */
    public long processed() {
        return totals.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Ids of the tasks running now. */
    public Set<String> runningIds() {
        return Set.copyOf(running.keySet());
    }

    /** The tasks running now, oldest first. */
    public List<ActiveTask> activeTasks() {
        return running.values().stream()
                .filter(run -> run.startedAt != null)
                .sorted(Comparator.comparing((Execution run) -> run.startedAt))
                .map(run -> {
                    var properties = run.message.getMessageProperties();
                    return new ActiveTask(
                            run.task.id(),
                            run.task.task(),
                            run.task.body().args(),
                            run.task.body().kwargs(),
                            run.queue,
                            properties.getReceivedExchange(),
                            run.startedAt,
                            Boolean.TRUE.equals(properties.getRedelivered()),
                            run.task.properties().priority());
                })
                .toList();
    }

    /** Tasks settled since start, by task name (Celery's {@code total} in {@code inspect stats}). */
    public Map<String, Long> totals() {
        var counts = new TreeMap<String, Long>();
        totals.forEach((task, count) -> counts.put(task, count.sum()));
        return counts;
    }

    /**
     * Handles a delivery on the consumer's dispatch thread. It returns once the task is running, has been settled, or
     * has been handed back because the worker is stopping. {@code quarantined} marks one taken from the queue's
     * quarantine, which runs whatever its history.
     */
    void handle(
            String queue,
            TaskPool pool,
            Message message,
            Delivery delivery,
            BooleanSupplier stopping,
            boolean quarantined) {
        switch (gate.admit(message, quarantined)) {
            case Admission.Settle settle ->
                finishers.execute(() -> settler.settle(settle.outcome(), queue, message, delivery));
            case Admission.Run admitted -> {
                TaskPool.Slot slot = awaitSlot(pool, stopping);
                if (slot != null && !stopping.getAsBoolean()) {
                    start(new Execution(
                            admitted,
                            queue,
                            pool,
                            slot,
                            message,
                            delivery,
                            s.revocations(),
                            s.events(),
                            s.codec().mapper()));
                    return;
                }
                if (slot != null) {
                    slot.close();
                }
                handBack(queue, message, delivery, quarantined);
            }
        }
    }

    /** Gives back, confirmed, a delivery this worker never started because it is stopping (see {@link Outcome}). */
    void handBack(String queue, Message message, Delivery delivery, boolean quarantined) {
        settler.settle(new Outcome.HandedBack(quarantined), queue, message, delivery);
    }

    /** Waits for a free slot of the pool; {@code null} if the worker began to stop first. */
    private static TaskPool.Slot awaitSlot(TaskPool pool, BooleanSupplier stopping) {
        try {
            while (true) {
                var slot = pool.tryAcquire(100, TimeUnit.MILLISECONDS);
                if (slot.isPresent()) {
                    return slot.get();
                }
                if (stopping.getAsBoolean()) {
                    return null;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void start(Execution run) {
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
        try (var logged = TaskLogContext.of(run.task, run.queue)) {
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
    private void terminate(String taskId) {
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
                TaskMessage next = new TaskMessage(
                        task.properties(),
                        task.headers().toBuilder()
                                .retries(task.headers().retries() + 1)
                                .eta(s.clock().instant().plus(retry.delay()))
                                .build(),
                        task.body());
                yield new Outcome.Retry(task, next, retry.delay(), threw.failure(), threw.runtime());
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
    public void requeueRunning() {
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
