package dev.celeriac.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.bench.stack.JavaProcess;
import dev.celeriac.bench.stack.Stack;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 4 of the reliability suite: the API, which is also the recorder, goes away while producers and workers
 * carry on. The recorder acks events only after they are stored, so they wait in {@code celeriac.events}; once it is
 * back it catches up, and every accepted task ends SUCCESS.
 */
class ApiOutageReliabilityTests {

    private static final String CONCURRENCY = "--celeriac.worker.queues.default.concurrency=8";

    @TempDir
    static Path logs;

    /** Scenario 4: the API JVM (the recorder) is killed and stays down for 60 s while tasks keep flowing. */
    @Test
    void apiDownForAMinuteLeavesEventsWaitingAndTheLedgerCatchesUp() throws Exception {
        try (var trial = Trial.start("recorder", logs)) {
            Stack stack = trial.stack();
            JavaProcess api = stack.api();
            TaskClient client = trial.twoWorkersAndAProducer(CONCURRENCY);

            long backlog;
            Duration catchUp;
            try (var feed = trial.keepSubmitting(client, 20, () -> TaskRequest.of("demo.sleep", 10))) {
                Thread.sleep(5_000);
                api.kill();
                Thread.sleep(60_000);
                backlog = trial.eventBacklog();
                long restarting = System.nanoTime();
                stack.api();
                await().atMost(Duration.ofMinutes(2))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> trial.eventBacklog() < 100);
                catchUp = Duration.ofNanos(System.nanoTime() - restarting);
                Thread.sleep(3_000);
            }
            trial.awaitAllTerminal(Duration.ofMinutes(2));
            trial.report(
                    "API down 60 s",
                    "events waiting when it came back %d, backlog drained %.1f s after its restart"
                            .formatted(backlog, catchUp.toMillis() / 1000.0));
            trial.assertNothingLost();
            assertThat(backlog).as("events kept while the recorder was down").isGreaterThan(1_000);
            assertThat(trial.states()).containsOnlyKeys("SUCCESS");
        }
    }
}
