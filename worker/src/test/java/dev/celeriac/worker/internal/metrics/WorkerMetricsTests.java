package dev.celeriac.worker.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.protocol.names.MetricNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkerMetricsTests {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final WorkerMetrics metrics = new WorkerMetrics(registry);

    @Test
    void countersOfAServedTaskExistAtZeroBeforeItFirstRuns() {
        metrics.serves("reports.build", "default");

        for (String outcome : new String[] {
            MetricNames.OUTCOME_SUCCESS,
            MetricNames.OUTCOME_RETRY,
            MetricNames.OUTCOME_FAILURE,
            MetricNames.OUTCOME_REVOKED
        }) {
            assertThat(registry.get(MetricNames.TASKS_COMPLETED)
                            .tags(MetricNames.TAG_TASK, "reports.build", MetricNames.TAG_OUTCOME, outcome)
                            .counter()
                            .count())
                    .isZero();
        }
        assertThat(registry.get(MetricNames.TASKS_RETRIED).counter().count()).isZero();
        assertThat(registry.get(MetricNames.TASKS_REVOKED).counter().count()).isZero();
    }

    @Test
    void namesOfTasksNotServedShareOneTagValueSoArbitraryNamesAddNoSeries() {
        metrics.serves("reports.build", "default");
        for (int i = 0; i < 100; i++) {
            metrics.deadLettered("random.name." + i, "default", "unknown-task");
        }
        metrics.completed("reports.build", "default", MetricNames.OUTCOME_SUCCESS, Duration.ofMillis(3));

        assertThat(registry.find(MetricNames.TASKS_DEAD_LETTERED).counters()).hasSize(1);
        assertThat(registry.get(MetricNames.TASKS_DEAD_LETTERED)
                        .tag(MetricNames.TAG_TASK, MetricNames.TASK_UNREGISTERED)
                        .counter()
                        .count())
                .isEqualTo(100);
        assertThat(registry.get(MetricNames.TASK_RUNTIME)
                        .tag(MetricNames.TAG_TASK, "reports.build")
                        .timer()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void timersPublishTheFixedBucketsFromOneMillisecondToOneHour() {
        metrics.serves("reports.build", "default");
        metrics.queueWait("reports.build", "default", Duration.ofMillis(40));

        var snapshot = registry.get(MetricNames.TASK_QUEUE_WAIT).timer().takeSnapshot();
        assertThat(snapshot.histogramCounts()).hasSize(WorkerMetrics.BUCKETS.size());
        assertThat(snapshot.histogramCounts()[0].bucket(TimeUnit.MILLISECONDS)).isEqualTo(1);
        assertThat(snapshot.histogramCounts()[WorkerMetrics.BUCKETS.size() - 1].bucket(TimeUnit.HOURS))
                .isEqualTo(1);
        // 40 ms falls in the 50 ms bucket and every larger one.
        assertThat(snapshot.histogramCounts()[4].count()).isEqualTo(1);
        assertThat(snapshot.histogramCounts()[3].count()).isZero();
    }
}
