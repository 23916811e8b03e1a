package dev.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.producer.TaskClient;
import dev.celeriac.protocol.names.MetricNames;
import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A task type's rate limit on a real broker: runs past the limit go round the delay ladder instead of waiting in a
 * slot or in the worker's memory, so the limited type starts no more often than its limit while other types on the
 * same worker and queue run as they come.
 */
class RateLimitIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    private static final int LIMITED = 12;
    private static final Duration INTERVAL = Duration.ofMillis(200); // 5/s

    @Test
    void aLimitedTypeStartsNoMoreOftenThanItsLimitWhileOtherTypesOnTheQueueRunAsTheyCome() throws Exception {
        try (var worker = WorkerApps.start(
                        rabbit.endpoint(),
                        "celeriac.worker.queues.default.concurrency=2",
                        "celeriac.worker.rate-limits.demo.echo=5/s");
                var events = new EventLog(rabbit.endpoint())) {
            var run = LimitedRun.of(worker.getBean(TaskClient.class), events, "demo.echo", LIMITED, 40);

            List<Double> starts = run.limited();
            assertThat(starts).hasSize(LIMITED);
            double seconds = INTERVAL.toMillis() / 1000.0;
            for (int i = 1; i < starts.size(); i++) {
                // A start can only be later than its turn (it may wait a moment for a slot), never earlier.
                assertThat(starts.get(i) - starts.get(i - 1))
                        .as("gap before start %d of the limited type", i)
                        .isGreaterThanOrEqualTo(seconds * 0.75);
            }
            assertThat(starts.getLast() - starts.getFirst()).isGreaterThanOrEqualTo((LIMITED - 1) * seconds * 0.95);
            // The unlimited runs were not held behind the limited ones: all of them started before the limited
            // type's last turn came, which the limit puts at least 2.2 s after its first.
            assertThat(run.free()).allSatisfy(start -> assertThat(start).isLessThan(starts.getLast()));
            double throttled = worker.getBean(MeterRegistry.class)
                    .counter(MetricNames.TASKS_THROTTLED, "task", "demo.echo", "queue", "default", "scope", "worker")
                    .count();
            assertThat(throttled).as("runs sent round the delay ladder").isGreaterThanOrEqualTo(LIMITED - 1);
            assertThat(worker.getBean(MeterRegistry.class)
                            .find(MetricNames.TASKS_THROTTLED)
                            .tag("task", "demo.add")
                            .counter())
                    .isNull();
        }
    }
}
