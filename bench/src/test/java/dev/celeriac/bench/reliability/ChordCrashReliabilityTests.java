package dev.celeriac.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.bench.stack.JavaProcess;
import dev.celeriac.bench.stack.Stack;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.producer.Workflow;
import dev.celeriac.producer.WorkflowHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 18 of the reliability suite: workers are SIGKILLed while a chord of 1,000 header tasks runs. The join is
 * counted in the ledger, so header tasks that run twice count once, and the body runs exactly once, given every one of
 * the 1,000 results.
 */
class ChordCrashReliabilityTests {

    private static final int HEADER = 1_000;
    private static final int POOL = 4;
    private static final int PREFETCH = POOL + 1;
    private static final int KILLS = 2;

    @TempDir
    static Path logs;

    /**
     * One header task ({@code demo.hold}) runs until the test opens its gate, after both kills, so the chord is surely
     * still open while its workers die; the other 999 sleep 30 to 49 ms and return how long they slept. The body,
     * {@code demo.sum}, adds the 1,000 results: one lost or counted twice changes the sum.
     */
    @Test
    void killedWorkersDuringAChordOfAThousandTasksRunItsBodyOnceWithEveryResult() throws Exception {
        try (var trial = Trial.start("chord-crash", logs)) {
            Stack stack = trial.stack();
            var rest = new Rest(stack.api(), Stack.API_KEY);
            var workers = new ArrayList<JavaProcess>(List.of(worker(stack, "w1"), worker(stack, "w2")));
            TaskClient client = stack.producer(true).getBean(TaskClient.class);
            trial.watch();

            Path gate = logs.resolve("chord-gate");
            long held = 7;
            var header = new ArrayList<Workflow>();
            header.add(Workflow.task(TaskRequest.of("demo.hold", gate.toString(), held)));
            long expected = held;
            for (int i = 1; i < HEADER; i++) {
                long ms = 30 + i % 20;
                header.add(Workflow.task("demo.sleep", ms));
                expected += ms;
            }
            WorkflowHandle chord = client.submit(Workflow.chord(Workflow.group(header), Workflow.task("demo.sum")));
            chord.taskIds().forEach(trial::accepted);
            String body = chord.resultIds().getFirst();
            List<String> headerIds =
                    chord.taskIds().stream().filter(id -> !id.equals(body)).toList();
            assertThat(headerIds).hasSize(HEADER);

            // Each kill while header tasks run, and a fresh worker in the killed one's place.
            var killedAt = new ArrayList<Long>();
            for (int kill = 1; kill <= KILLS; kill++) {
                long done = (long) (HEADER - 1) * kill / (KILLS + 1);
                await().atMost(Duration.ofMinutes(2))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> trial.count("SUCCESS") >= done);
                workers.removeFirst().kill();
                killedAt.add(trial.count("SUCCESS"));
                workers.add(worker(stack, "w" + (kill + 2)));
            }
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> trial.count("SUCCESS") == HEADER - 1);
            assertThat(firedChords(stack))
                    .as("chords fired before the last header task ended")
                    .isZero();
            Files.createFile(gate);

            trial.awaitAllTerminal(Duration.ofMinutes(2));
            var bodyTask = Rest.json(rest.get("/api/v1/tasks/" + body));
            long fired = firedChords(stack);
            trial.report(
                    "chord of 1,000, workers killed",
                    "killed at %s done; body ran %d, result %s (expected %d); chords fired %d; bound of ran twice %d"
                            .formatted(
                                    killedAt,
                                    trial.executions(body),
                                    bodyTask.get("result"),
                                    expected,
                                    fired,
                                    KILLS * PREFETCH));
            trial.assertNothingLost();
            assertThat(trial.states()).containsExactly(Map.entry("SUCCESS", (long) HEADER + 1));
            assertThat(trial.executions(body)).isEqualTo(1);
            assertThat(bodyTask.get("result").asLong()).isEqualTo(expected);
            assertThat(fired).isEqualTo(1);
            assertThat(trial.ranAny(headerIds)).isEqualTo(HEADER);
            assertThat(trial.ranTwice()).isLessThanOrEqualTo(KILLS * PREFETCH);
        }
    }

    private static JavaProcess worker(Stack stack, String name) throws InterruptedException {
        return stack.worker(
                name,
                List.of(),
                "--celeriac.worker.queues.default.concurrency=" + POOL,
                "--celeriac.demo.fault-tasks=true");
    }

    /** Chords the ledger marked fired. */
    private static long firedChords(Stack stack) throws Exception {
        try (var connection = stack.ledger();
                var statement = connection.createStatement();
                var rows = statement.executeQuery("SELECT COUNT(*) FROM chords WHERE fired_at IS NOT NULL")) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
