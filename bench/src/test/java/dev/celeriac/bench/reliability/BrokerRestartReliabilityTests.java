package dev.celeriac.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.bench.stack.JavaProcess;
import dev.celeriac.bench.stack.Stack;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.testsupport.broker.RabbitCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 3 of the reliability suite: the RabbitMQ application (a node of the scenario's own) is stopped and started
 * again in the middle of a 20,000-task run. Nothing is restarted but the broker: the producer, the workers and the API's recorder reconnect
 * by themselves, and every task the broker confirmed ends SUCCESS.
 */
class BrokerRestartReliabilityTests {

    private static final int TASKS = 20_000;

    @TempDir
    static Path logs;

    /**
     * Tasks that may run twice: whatever a worker held unacked when its connection went, its prefetch (pool of 8 and
     * one more) and a quarantined task it was running, for each of the two workers.
     */
    private static final int RAN_TWICE_BOUND = 2 * (8 + 1 + 1);

    @Test
    void brokerRestartMidRunLosesNoConfirmedTaskAndEveryComponentResumes() throws Exception {
        try (var own = RabbitCluster.start(1);
                var trial = Trial.start("broker", logs, own)) {
            Stack stack = trial.stack();
            JavaProcess api = stack.api();
            var concurrency = "--celeriac.worker.queues.default.concurrency=8";
            JavaProcess w1 = stack.worker("w1", List.of(), concurrency);
            JavaProcess w2 = stack.worker("w2", List.of(), concurrency);
            TaskClient client = stack.producer(true).getBean(TaskClient.class);
            trial.watch();

            trial.submit(client, TASKS, () -> TaskRequest.of("demo.sleep", 1));
            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> trial.count("SUCCESS") >= TASKS / 4);
            long restartedAt = trial.count("SUCCESS");
            RabbitCluster.Node broker = own.nodes().getFirst();
            long stopping = System.nanoTime();
            own.stopApp(broker);
            // The producer keeps trying while the broker is away: each refusal is an error to its caller, not a drop.
            long refusedWhileDown = 0;
            for (int i = 0; i < 5; i++) {
                long before = trial.refused();
                trial.submit(client, 10, () -> TaskRequest.of("demo.sleep", 1));
                refusedWhileDown += trial.refused() - before;
            }
            own.startApp(broker);
            Duration outage = Duration.ofNanos(System.nanoTime() - stopping);

            // The same producer, workers and API, none restarted: a new submit is taken again and runs.
            long resuming = System.nanoTime();
            await().atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> trial.submit(client, 1, () -> TaskRequest.of("demo.add", 2, 3))
                                    .size()
                            == 1);
            Duration resumed = Duration.ofNanos(System.nanoTime() - resuming);
            trial.submit(client, 1_000, () -> TaskRequest.of("demo.sleep", 1));

            trial.awaitAllTerminal(Duration.ofMinutes(4));
            trial.report(
                    "broker restart",
                    "restarted at %d of %d done, broker away %.1f s, producer refusals while away %d, first submit taken %.1f s after the broker was back, bound of ran twice %d"
                            .formatted(
                                    restartedAt,
                                    TASKS,
                                    outage.toMillis() / 1000.0,
                                    refusedWhileDown,
                                    resumed.toMillis() / 1000.0,
                                    RAN_TWICE_BOUND));
            trial.assertNothingLost();
            assertThat(trial.states()).containsOnlyKeys("SUCCESS");
            assertThat(refusedWhileDown).isEqualTo(50);
            assertThat(trial.ranTwice()).isLessThanOrEqualTo(RAN_TWICE_BOUND);
            assertThat(List.of(api, w1, w2)).allMatch(JavaProcess::isAlive);
        }
    }
}
