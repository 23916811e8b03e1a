package dev.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskHandle;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.protocol.names.MetricNames;
import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import dev.celeriac.worker.ratelimit.GlobalRateLimits;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A global rate limit on a real broker, shared by three workers: each limited task is parked in the broker until the
 * one releasing worker gives it its turn, so the fleet together starts the type at its limit, not three times it,
 * while other types on the same queue run as they come; when the releasing worker stops, another one takes over.
 */
class GlobalRateLimitIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    private static final String LIMITED_TASK = "demo.echo";
    private static final double RATE = 10;
    private static final int LIMITED = 60;

    @Test
    void threeWorkersTogetherStartTheTypeAtItsGlobalRateWhileOtherTypesRunAsTheyCome() throws Exception {
        var workers = new ArrayList<ConfigurableApplicationContext>();
        for (int i = 1; i <= 3; i++) {
            workers.add(worker(i));
        }
        try (var events = new EventLog(rabbit.endpoint())) {
            var run = LimitedRun.of(workers.getFirst().getBean(TaskClient.class), events, LIMITED_TASK, LIMITED, 60);

            List<Double> starts = run.limited();
            assertThat(starts).hasSize(LIMITED);
            // The first turns may bunch behind the other tasks in the queue, and a start at either end may be held up
            // by a busy machine: from the tenth to the sixth from the end, the rate is the limit's, within 10 %, for
            // three workers together.
            int low = 9;
            int high = LIMITED - 6;
            double rate = (high - low) / (starts.get(high) - starts.get(low));
            assertThat(rate).as("starts per second of the limited type").isBetween(RATE * 0.9, RATE * 1.1);
            // The others were not held behind the limited ones: all started before the limit let the last one go,
            // which it puts at least 5.3 s after the first.
            assertThat(starts.getLast() - starts.getFirst()).isGreaterThan((LIMITED - 1) / RATE * 0.9);
            assertThat(run.free()).allSatisfy(start -> assertThat(start).isLessThan(starts.getLast()));

            // One worker of the three released them all; each worker parked those it took first.
            assertThat(workers.stream()
                            .filter(w -> w.getBean(GlobalRateLimits.class).releases(LIMITED_TASK))
                            .count())
                    .isEqualTo(1);
            assertThat(workers.stream()
                            .mapToDouble(w -> counter(w, MetricNames.TASKS_RELEASED, "task", LIMITED_TASK))
                            .sum())
                    .isEqualTo(LIMITED);
            assertThat(workers.stream()
                            .mapToDouble(
                                    w -> counter(w, MetricNames.TASKS_THROTTLED, "scope", MetricNames.SCOPE_GLOBAL))
                            .sum())
                    .isEqualTo(LIMITED);
            assertThat(workers.getFirst()
                            .getBean(MeterRegistry.class)
                            .get(MetricNames.TASK_RATE_LIMIT)
                            .tags(MetricNames.TAG_TASK, LIMITED_TASK, MetricNames.TAG_SCOPE, MetricNames.SCOPE_GLOBAL)
                            .gauge()
                            .value())
                    .isEqualTo(RATE);
        } finally {
            workers.forEach(ConfigurableApplicationContext::close);
        }
    }

    @Test
    void whenTheReleasingWorkerStopsAnotherOneTakesOverAndNoParkedTaskIsLost() throws Exception {
        var workers = new ArrayList<ConfigurableApplicationContext>();
        for (int i = 1; i <= 3; i++) {
            workers.add(worker(i));
        }
        try (var events = new EventLog(rabbit.endpoint())) {
            ConfigurableApplicationContext releasing = await().atMost(Duration.ofSeconds(10))
                    .until(
                            () -> workers.stream()
                                    .filter(w ->
                                            w.getBean(GlobalRateLimits.class).releases(LIMITED_TASK))
                                    .findFirst()
                                    .orElse(null),
                            w -> w != null);
            ConfigurableApplicationContext survivor =
                    workers.stream().filter(w -> w != releasing).findFirst().orElseThrow();
            List<TaskHandle> limited = survivor.getBean(TaskClient.class)
                    .submitAll(IntStream.range(0, 30)
                            .mapToObj(i -> TaskRequest.of(LIMITED_TASK))
                            .toList());
            await().atMost(Duration.ofSeconds(30)).until(() -> events.succeeded(limited) >= 10);

            releasing.close();
            workers.remove(releasing);

            await().atMost(Duration.ofSeconds(60)).until(() -> events.succeeded(limited) == limited.size());
            assertThat(workers.stream()
                            .filter(w -> w.getBean(GlobalRateLimits.class).releases(LIMITED_TASK))
                            .count())
                    .isEqualTo(1);
            // A task the stopped worker had fetched but not released went back to the parking queue: every one ran,
            // and at the limit's pace.
            List<Double> starts = events.startTimes(limited);
            assertThat(starts.getLast() - starts.getFirst()).isGreaterThan((limited.size() - 1) / RATE * 0.9);
        } finally {
            workers.forEach(ConfigurableApplicationContext::close);
        }
    }

    private static ConfigurableApplicationContext worker(int n) {
        return WorkerApps.start(
                rabbit.endpoint(),
                "celeriac.worker.hostname=limited-" + n + "@test",
                "celeriac.worker.queues.default.concurrency=2",
                "celeriac.worker.global-rate-limits." + LIMITED_TASK + "=" + (int) RATE + "/s");
    }

    private static double counter(ConfigurableApplicationContext worker, String name, String tag, String value) {
        return worker.getBean(MeterRegistry.class).find(name).tag(tag, value).counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }
}
