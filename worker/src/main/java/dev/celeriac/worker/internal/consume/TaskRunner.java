package dev.celeriac.worker.internal.consume;

import dev.celeriac.producer.amqp.ConfirmedPublisher;
import dev.celeriac.producer.tracing.TaskObservations;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.message.TaskMessageCodec;
import dev.celeriac.worker.internal.control.ActiveTask;
import dev.celeriac.worker.internal.control.Revocations;
import dev.celeriac.worker.internal.deadletter.DeadLetterPublisher;
import dev.celeriac.worker.internal.dispatch.TaskInvoker;
import dev.celeriac.worker.internal.dispatch.TaskRegistry;
import dev.celeriac.worker.internal.events.EventPublisher;
import dev.celeriac.worker.internal.metrics.WorkerMetrics;
import dev.celeriac.worker.internal.results.ResultReplies;
import dev.celeriac.worker.internal.retry.DelayPublisher;
import dev.celeriac.worker.internal.retry.FailureClassifier;
import dev.celeriac.worker.internal.workflow.Continuations;
import dev.celeriac.worker.pool.TaskPool;
import dev.celeriac.worker.ratelimit.GlobalRateLimits;
import dev.celeriac.worker.ratelimit.Parking;
import dev.celeriac.worker.ratelimit.RateLimiter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;

/**
 * The life of one delivered task message, ack last, in three steps: the {@link Gate} decides what the delivery is
 * for; a task admitted to run takes a slot of its queue's pool and runs within its time limits ({@link Runs}, an
 * {@link Execution} each); the {@link Settler} publishes its {@link Outcome}, waits for the broker's confirms, and
 * only then acks. This class is the coordinator: it hands each delivery to its steps and says what the worker holds. A crash at any point leaves the message unacked, so the broker delivers it again: execution is
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
            GlobalRateLimits globalLimits,
            Parking parking,
            WorkerMetrics metrics,
            TaskObservations observations,
            ResultReplies replies,
            Continuations continuations,
            Duration publishTimeout,
            Clock clock) {}

    private final Services s;
    private final Gate gate;
    private final Settler settler;
    private final Runs runs;
    private final ExecutorService finishers;
    private final Map<String, Held> reserved = new ConcurrentHashMap<>();
    private final Map<String, Held> deferring = new ConcurrentHashMap<>();

    public TaskRunner(Services services, ScheduledExecutorService timers, ExecutorService finishers, int maxAbandoned) {
        this.s = services;
        this.gate = new Gate(
                services.codec(),
                services.registry(),
                services.revocations(),
                services.limiter(),
                services.globalLimits(),
                services.continuations(),
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
                        services.parking(),
                        services.continuations(),
                        services.publishTimeout()),
                services.metrics());
        this.finishers = finishers;
        this.runs = new Runs(services, settler, timers, finishers, maxAbandoned);
        services.revocations().onTerminate(runs::terminate);
    }

    /** Sets what to do when a pool's abandoned threads pass the limit (the worker drains and exits). */
    public void onTooManyAbandoned(Runnable action) {
        runs.onTooManyAbandoned(action);
    }

    /** The event publisher of this worker. */
    public EventPublisher events() {
        return s.events();
    }

    /** Tasks running now. */
    public int active() {
        return runs.running().size();
    }

    /** Tasks finished since start. */
    public long processed() {
        return runs.processed();
    }

    /** Ids of the tasks running now. */
    public Set<String> runningIds() {
        return Set.copyOf(runs.running().keySet());
    }

    /** The tasks running now, oldest first. */
    public List<ActiveTask> activeTasks() {
        return runs.running().values().stream()
                .filter(run -> run.startedAt != null)
                .sorted(Comparator.comparing((Execution run) -> run.startedAt))
                .map(run -> held(run.task, run.queue, run.message, run.startedAt))
                .toList();
    }

    /**
     * The tasks this worker holds that wait for a slot of their pool: at most each pool's lookahead, since the worker
     * takes no more messages than it can start.
     */
    public List<ActiveTask> reservedTasks() {
        return reserved.values().stream().map(Held::describe).toList();
    }

    /** Of {@link #reservedTasks()}, those from {@code queue}. */
    public int reserved(String queue) {
        return (int)
                reserved.values().stream().filter(t -> t.queue().equals(queue)).count();
    }

    /**
     * The tasks due later that this worker holds: only while it sends them round the delay ladder, where they wait
     * in the broker, never in a worker.
     */
    public List<ActiveTask> scheduledTasks() {
        return deferring.values().stream().map(Held::describe).toList();
    }

    /** A delivery held, not running: described only when someone asks. */
    private record Held(TaskMessage task, String queue, Message message) {
        ActiveTask describe() {
            return held(task, queue, message, null);
        }
    }

    private static ActiveTask held(TaskMessage task, String queue, Message message, Instant startedAt) {
        var properties = message.getMessageProperties();
        return new ActiveTask(
                task.id(),
                task.task(),
                task.body().args(),
                task.body().kwargs(),
                queue,
                properties.getReceivedExchange(),
                startedAt,
                task.headers().eta(),
                Boolean.TRUE.equals(properties.getRedelivered()),
                task.properties().priority());
    }

    /** Tasks settled since start, by task name (Celery's {@code total} in {@code inspect stats}). */
    public Map<String, Long> totals() {
        return runs.totals();
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
            case Admission.Settle settle
            when settle.outcome() instanceof Outcome.Deferred deferred -> {
                String id = deferred.task().id();
                deferring.put(id, new Held(deferred.task(), queue, message));
                finishers.execute(() -> {
                    try {
                        settler.settle(deferred, queue, message, delivery);
                    } finally {
                        deferring.remove(id);
                    }
                });
            }
            case Admission.Settle settle ->
                finishers.execute(() -> settler.settle(settle.outcome(), queue, message, delivery));
            case Admission.Run admitted -> {
                String id = admitted.task().id();
                reserved.put(id, new Held(admitted.task(), queue, message));
                TaskPool.Slot slot;
                try {
                    slot = awaitSlot(pool, stopping);
                } finally {
                    reserved.remove(id);
                }
                if (slot != null && !stopping.getAsBoolean()) {
                    runs.start(new Execution(
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

    /** Hands every running task back to its queue, interrupting it (the end of a shutdown's grace period). */
    public void requeueRunning() {
        runs.requeueRunning();
    }
}
