package dev.celeriac.worker.internal.metrics;

import dev.celeriac.protocol.names.MetricNames;
import dev.celeriac.worker.pool.TaskPool;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The worker's meters. Tags are task names, queue names, outcomes and reasons only: never task ids. Timers publish a
 * fixed set of histogram buckets (1 ms to 1 h), so Prometheus computes percentiles across a fleet with a bounded number
 * of series per task.
 */
public final class WorkerMetrics {

    /** Histogram bucket boundaries of the runtime and queue-wait timers. */
    static final List<Duration> BUCKETS = List.of(
            Duration.ofMillis(1),
            Duration.ofMillis(5),
            Duration.ofMillis(10),
            Duration.ofMillis(25),
            Duration.ofMillis(50),
            Duration.ofMillis(100),
            Duration.ofMillis(250),
            Duration.ofMillis(500),
            Duration.ofSeconds(1),
            Duration.ofMillis(2500),
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            Duration.ofMinutes(1),
            Duration.ofMinutes(5),
            Duration.ofMinutes(15),
            Duration.ofHours(1));

    private static final List<String> OUTCOMES = List.of(
            MetricNames.OUTCOME_SUCCESS,
            MetricNames.OUTCOME_RETRY,
            MetricNames.OUTCOME_FAILURE,
            MetricNames.OUTCOME_REVOKED);

    private final MeterRegistry registry;
    /** Task names this worker serves; any other name is tagged {@link MetricNames#TASK_UNREGISTERED}. */
    private final Set<String> served = ConcurrentHashMap.newKeySet();
    /** The value behind each rate-limit gauge, by task and scope. */
    private final Map<LimitKey, AtomicReference<Double>> rateLimits = new ConcurrentHashMap<>();

    public WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers the gauges of a pool, in place of those of an earlier pool of the same queue. */
    public void pool(String queue, TaskPool pool) {
        for (String gauge : List.of(MetricNames.POOL_ACTIVE, MetricNames.POOL_SIZE)) {
            registry.find(gauge).tag(MetricNames.TAG_QUEUE, queue).gauges().forEach(registry::remove);
        }
        String kind = pool.kind().label();
        Gauge.builder(MetricNames.POOL_ACTIVE, pool, TaskPool::active)
                .tag(MetricNames.TAG_QUEUE, queue)
                .tag(MetricNames.TAG_POOL, kind)
                .register(registry);
        Gauge.builder(MetricNames.POOL_SIZE, pool, TaskPool::size)
                .tag(MetricNames.TAG_QUEUE, queue)
                .tag(MetricNames.TAG_POOL, kind)
                .register(registry);
    }

    /**
     * Registers at zero the counters of a task this worker serves on a queue. A counter that first appears at 1 hides
     * that first increment from Prometheus's {@code rate()} and {@code increase()}; one that exists from the start
     * shows the first failure of a task as the change it is.
     */
    public void serves(String task, String queue) {
        served.add(task);
        for (String outcome : OUTCOMES) {
            completedCounter(task, queue, outcome);
        }
        retriedCounter(task, queue);
        revokedCounter(task, queue);
    }

    /** A finished task: outcome {@code success}, {@code retry}, {@code failure} or {@code revoked}. */
    public void completed(String task, String queue, String outcome, Duration runtime) {
        completedCounter(task, queue, outcome).increment();
        if (runtime != null) {
            timer(MetricNames.TASK_RUNTIME, task, queue)
                    .tag(MetricNames.TAG_OUTCOME, outcome)
                    .register(registry)
                    .record(runtime);
        }
    }

    /** Time from publish (or from the task's ETA, if later) to start. */
    public void queueWait(String task, String queue, Duration wait) {
        timer(MetricNames.TASK_QUEUE_WAIT, task, queue)
                .register(registry)
                .record(wait.isNegative() ? Duration.ZERO : wait);
    }

    public void retried(String task, String queue) {
        retriedCounter(task, queue).increment();
    }

    public void deadLettered(String task, String queue, String reason) {
        Counter.builder(MetricNames.TASKS_DEAD_LETTERED)
                .tag(MetricNames.TAG_TASK, name(task))
                .tag(MetricNames.TAG_QUEUE, queue)
                .tag(MetricNames.TAG_REASON, reason)
                .register(registry)
                .increment();
    }

    public void quarantined(String task, String queue) {
        taskCounter(MetricNames.TASKS_QUARANTINED, task, queue).increment();
    }

    /** A task held back by its type's rate limit of {@code scope} ({@link MetricNames#SCOPE_WORKER} or global). */
    public void throttled(String task, String queue, String scope) {
        Counter.builder(MetricNames.TASKS_THROTTLED)
                .tag(MetricNames.TAG_TASK, name(task))
                .tag(MetricNames.TAG_QUEUE, queue)
                .tag(MetricNames.TAG_SCOPE, scope)
                .register(registry)
                .increment();
    }

    /** A parked task released to {@code queue} by this worker, its type's turn under the global limit come. */
    public void released(String task, String queue) {
        taskCounter(MetricNames.TASKS_RELEASED, task, queue).increment();
    }

    /** The rate limit of a task type in {@code scope} is now {@code perSecond} (0: none any more). */
    public void rateLimit(String task, String scope, double perSecond) {
        rateLimits
                .computeIfAbsent(new LimitKey(task, scope), key -> {
                    var value = new AtomicReference<>(0.0);
                    Gauge.builder(MetricNames.TASK_RATE_LIMIT, value, AtomicReference::get)
                            .tag(MetricNames.TAG_TASK, task)
                            .tag(MetricNames.TAG_SCOPE, scope)
                            .register(registry);
                    return value;
                })
                .set(perSecond);
    }

    public void revoked(String task, String queue) {
        revokedCounter(task, queue).increment();
    }

    /** A counter of one task type on one queue. */
    private Counter taskCounter(String meter, String task, String queue) {
        return Counter.builder(meter)
                .tag(MetricNames.TAG_TASK, name(task))
                .tag(MetricNames.TAG_QUEUE, queue)
                .register(registry);
    }

    private Counter completedCounter(String task, String queue, String outcome) {
        return Counter.builder(MetricNames.TASKS_COMPLETED)
                .tag(MetricNames.TAG_TASK, name(task))
                .tag(MetricNames.TAG_QUEUE, queue)
                .tag(MetricNames.TAG_OUTCOME, outcome)
                .register(registry);
    }

    private Counter retriedCounter(String task, String queue) {
        return taskCounter(MetricNames.TASKS_RETRIED, task, queue);
    }

    private Counter revokedCounter(String task, String queue) {
        return taskCounter(MetricNames.TASKS_REVOKED, task, queue);
    }

    private String name(String task) {
        return served.contains(task) ? task : MetricNames.TASK_UNREGISTERED;
    }

    private Timer.Builder timer(String name, String task, String queue) {
        return Timer.builder(name)
                .tag(MetricNames.TAG_TASK, name(task))
                .tag(MetricNames.TAG_QUEUE, queue)
                .serviceLevelObjectives(BUCKETS.toArray(Duration[]::new));
    }

    private record LimitKey(String task, String scope) {}
}
