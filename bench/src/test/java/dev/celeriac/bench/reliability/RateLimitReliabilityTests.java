package dev.celeriac.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 17 of the reliability suite: a global rate limit of 20 tasks a second across three worker JVMs. First the
 * limited type alone: it must start at 20 a second for the fleet together (±10 %), not 20 per worker. Then the same
 * type again with a burst of unlimited tasks through the same queue and the same pools: the burst must drain as fast
 * as the same burst with no limited task about, because a limited task waits in the broker, never in a slot or a
 * prefetch place (Celery's open bug is that rate-limited tasks fill the prefetch and starve the rest), and the fleet
 * must still start the limited type no faster than its limit over the whole.
 *
 * <p>The two properties are measured in two phases on purpose: beside a backlog, the turns released while it drains
 * start together once it has drained, so a start rate read beside the burst would depend on how fast this machine
 * drains it.
 */
class RateLimitReliabilityTests {

    private static final String LIMITED_TASK = "demo.echo";
    private static final double RATE = 20;
    private static final int ALONE = 300;
    private static final int BESIDE = 400;
    private static final int BURST = 3_000;
    private static final int WARM_UP = 1_000;

    @TempDir
    static Path logs;

    @Test
    void threeWorkersHoldAGlobalLimitOfTwentyASecondWhileUnlimitedTasksRunAtFullSpeed() throws Exception {
        try (var trial = Trial.start("ratelimit", logs)) {
            var stack = trial.stack();
            stack.api();
            for (int i = 1; i <= 3; i++) {
                stack.worker(
                        "worker-" + i,
                        List.of(),
                        "--celeriac.worker.queues.default.concurrency=4",
                        "--celeriac.worker.global-rate-limits." + LIMITED_TASK + "=" + (int) RATE + "/s");
            }
            TaskClient client = stack.producer(true).getBean(TaskClient.class);
            trial.watch();

            // The burst alone, for the speed to match, once the JVMs are warm.
            drain(trial, client, WARM_UP);
            Duration alone = drain(trial, client, BURST);

            // The limited type alone: its start rate, read between the 10th and the 90th percentile of its starts,
            // so that neither the first turns nor a straggler at the end count.
            List<String> first = trial.submit(client, ALONE, () -> TaskRequest.of(LIMITED_TASK));
            trial.awaitAllTerminal(Duration.ofMinutes(2));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> trial.startTimes(first).size() == ALONE);
            List<Double> paced = trial.startTimes(first);
            int low = paced.size() / 10;
            int high = paced.size() - 1 - low;
            double rate = (high - low) / (paced.get(high) - paced.get(low));

            // The limited tasks first, so that they are all ahead of the burst in the queue; the burst once the
            // limited type has been seen running again.
            List<String> limited = trial.submit(client, BESIDE, () -> TaskRequest.of(LIMITED_TASK));
            await().atMost(Duration.ofSeconds(30)).until(() -> trial.ranAny(limited) >= 20);
            Duration beside = drain(trial, client, BURST);
            trial.awaitAllTerminal(Duration.ofMinutes(2));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> trial.startTimes(limited).size() == BESIDE);
            List<Double> starts = trial.startTimes(limited);
            double overall = (starts.size() - 1) / (starts.getLast() - starts.getFirst());

            trial.report(
                    "global rate limit",
                    ("limit %.0f/s over 3 workers: %.2f/s over the middle %d of %d starts alone, %.2f/s first to last"
                                    + " beside the burst; burst of %d unlimited drained in %d ms alone and %d ms"
                                    + " beside the limited tasks")
                            .formatted(
                                    RATE,
                                    rate,
                                    high - low + 1,
                                    paced.size(),
                                    overall,
                                    BURST,
                                    alone.toMillis(),
                                    beside.toMillis()));
            trial.assertNothingLost();
            assertThat(trial.states())
                    .containsExactly(Map.entry("SUCCESS", (long) (WARM_UP + 2 * BURST + ALONE + BESIDE)));
            assertThat(paced).hasSize(ALONE);
            assertThat(starts).hasSize(BESIDE);
            assertThat(rate).as("starts per second of the limited type").isBetween(RATE * 0.9, RATE * 1.1);
            assertThat(overall)
                    .as("starts per second of the limited type beside the burst")
                    .isLessThanOrEqualTo(RATE * 1.1);
            // Held in slots, 400 limited tasks would keep the burst waiting for most of their 20 s: beside them it
            // drains as it does alone, give or take what a shared machine varies by.
            assertThat(beside).isLessThan(alone.multipliedBy(2).plusSeconds(2));
        }
    }

    /** Submits the burst of unlimited tasks and waits until every one succeeded: the time from submit to the last. */
    private static Duration drain(Trial trial, TaskClient client, int tasks) {
        long start = System.nanoTime();
        List<String> burst = trial.submit(client, tasks, () -> TaskRequest.of("demo.add", 2, 3));
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> burst.stream().allMatch(trial::succeeded));
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
