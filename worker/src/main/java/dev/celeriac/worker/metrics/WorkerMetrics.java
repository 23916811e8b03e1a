package dev.celeriac.worker.metrics;

import dev.celeriac.protocol.names.MetricNames;
import dev.celeriac.worker.pool.TaskPool;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** The worker's meters. Tags are task names, queue names, outcomes and reasons only: never task ids. */
public final class WorkerMetrics {

    private final MeterRegistry registry;

    public WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers the gauges of a pool. */
    public void pool(String queue, TaskPool pool) {
        String kind = pool.kind().name().toLowerCase(java.util.Locale.ROOT);
        Gauge.builder(MetricNames.POOL_ACTIVE, pool, TaskPool::active)
                .tag(MetricNames.TAG_QUEUE, queue)
                .tag(MetricNames.TAG_POOL, kind)
                .register(registry);
        Gauge.builder(MetricNames.POOL_SIZE, pool, TaskPool::size)
                .tag(MetricNames.TAG_QUEUE, queue)
                .tag(MetricNames.TAG_POOL, kind)
                .register(registry);
    }

    /** A finished task: outcome {@code success}, {@code retry}, {@code failure} or {@code revoked}. */
    public void completed(String task, String queue, String outcome, Duration runtime) {
        Counter.builder(MetricNames.TASKS_COMPLETED)
                .tag(MetricNames.TAG_TASK, task)
                .tag(MetricNames.TAG_QUEUE, queue)
                .tag(MetricNames.TAG_OUTCOME, outcome)
                .register(registry)
                .increment();
        if (runtime != null) {
            Timer.builder(MetricNames.TASK_RUNTIME)
                    .tag(MetricNames.TAG_TASK, task)
                    .tag(MetricNames.TAG_QUEUE, queue)
                    .tag(MetricNames.TAG_OUTCOME, outcome)
                    .publishPercentileHistogram()
                    .register(registry)
                    .record(runtime);
        }
    }

    /** Time from publish (or from the task's ETA, if later) to start. */
    public void queueWait(String task, String queue, Duration wait) {
        Timer.builder(MetricNames.TASK_QUEUE_WAIT)
                .tag(MetricNames.TAG_TASK, task)
                .tag(MetricNames.TAG_QUEUE, queue)
                .publishPercentileHistogram()
                .register(registry)
                .record(wait.isNegative() ? Duration.ZERO : wait);
    }

    public void retried(String task, String queue) {
        Counter.builder(MetricNames.TASKS_RETRIED)
                .tag(MetricNames.TAG_TASK, task)
                .tag(MetricNames.TAG_QUEUE, queue)
                .register(registry)
                .increment();
    }

    public void deadLettered(String task, String queue, String reason) {
        Counter.builder(MetricNames.TASKS_DEAD_LETTERED)
                .tag(MetricNames.TAG_TASK, task)
                .tag(MetricNames.TAG_QUEUE, queue)
                .tag(MetricNames.TAG_REASON, reason)
                .register(registry)
                .increment();
    }

    public void revoked(String task, String queue) {
        Counter.builder(MetricNames.TASKS_REVOKED)
                .tag(MetricNames.TAG_TASK, task)
                .tag(MetricNames.TAG_QUEUE, queue)
                .register(registry)
                .increment();
    }
}
