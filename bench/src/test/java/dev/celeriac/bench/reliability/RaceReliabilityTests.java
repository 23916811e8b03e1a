package dev.celeriac.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.bench.stack.JavaProcess;
import dev.celeriac.bench.stack.Stack;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.testsupport.broker.RabbitBroker;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scenarios 9 and 10 of the reliability suite: requests that race each other or a running task. */
class RaceReliabilityTests {

    @TempDir
    static Path logs;

    /** Scenario 9: 100 clients send the same submit with one Idempotency-Key at the same instant. */
    @Test
    void oneHundredConcurrentSubmitsWithOneKeyMakeOneTaskThatRunsOnce() throws Exception {
        try (var trial = Trial.start("idempotency", logs)) {
            Stack stack = trial.stack();
            var rest = new Rest(stack.api(), Stack.API_KEY);
            stack.worker("w1", List.of());
            trial.watch();

            var start = new CountDownLatch(1);
            var answers = new ArrayList<Future<HttpResponse<String>>>();
            try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 100; i++) {
                    answers.add(clients.submit(() -> {
                        start.await();
                        return rest.post("/api/v1/tasks", Rest.task("demo.sleep", "[50]"), "order-4711");
                    }));
                }
                start.countDown();
            }
            var statuses = new TreeMap<Integer, Integer>();
            var ids = new java.util.HashSet<String>();
            for (var answer : answers) {
                HttpResponse<String> response = answer.get();
                statuses.merge(response.statusCode(), 1, Integer::sum);
                if (response.statusCode() == 202) {
                    ids.add(Rest.json(response).get("id").asString());
                }
            }
            ids.forEach(trial::accepted);
            trial.awaitAllTerminal(Duration.ofMinutes(1));
            // The same key with another body is a conflict, never a second task.
            HttpResponse<String> other = rest.post("/api/v1/tasks", Rest.task("demo.sleep", "[51]"), "order-4711");
            Thread.sleep(1_000); // time for a wrongly published second task to show up in the ledger
            long tasksInLedger = stack.ledgerCount("SUCCESS") + stack.ledgerCount("PENDING");
            String id = ids.iterator().next();

            trial.report(
                    "idempotency race",
                    "answers %s, distinct tasks %d, executions %d, other body %d"
                            .formatted(statuses, ids.size(), trial.executions(id), other.statusCode()));
            trial.assertNothingLost();
            assertThat(statuses).containsOnlyKeys(202);
            assertThat(ids).hasSize(1);
            assertThat(tasksInLedger).isOne();
            assertThat(trial.executions(id)).isOne();
            assertThat(other.statusCode()).isEqualTo(409);
        }
    }

    /**
     * Scenario 10a: each task is revoked (half of them with terminate) 0–150 ms after it was accepted, so revokes race
     * its start and its completion. Whatever wins, the ledger agrees with what ran: REVOKED only if it never
     * succeeded, SUCCESS only if it did, and a revoke refused as too late (409) only for a finished task.
     */
    @Test
    void revokesRacingStartAndCompletionEndConsistent() throws Exception {
        try (var trial = Trial.start("revoke", logs)) {
            Stack stack = trial.stack();
            var rest = new Rest(stack.api(), Stack.API_KEY);
            stack.worker("w1", List.of(), "--celeriac.worker.queues.default.concurrency=8");
            TaskClient client = stack.producer(true).getBean(TaskClient.class);
            trial.watch();

            var random = new Random(7);
            var revokeAnswers = new ConcurrentHashMap<String, Integer>();
            var terminated = ConcurrentHashMap.<String>newKeySet();
            try (var revokers =
                    Executors.newScheduledThreadPool(8, Thread.ofVirtual().factory())) {
                for (int i = 0; i < 300; i++) {
                    String id = trial.submit(client, 1, () -> TaskRequest.of("demo.sleep", random.nextInt(200)))
                            .getFirst();
                    boolean terminate = random.nextBoolean();
                    if (terminate) {
                        terminated.add(id);
                    }
                    revokers.schedule(
                            () -> revokeAnswers.put(
                                    id,
                                    rest.delete("/api/v1/tasks/" + id + "?terminate=" + terminate)
                                            .statusCode()),
                            random.nextInt(150),
                            TimeUnit.MILLISECONDS);
                    Thread.sleep(random.nextInt(5));
                }
                revokers.shutdown();
                assertThat(revokers.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
            }
            trial.awaitAllTerminal(Duration.ofMinutes(1));

            Map<String, String> states = trial.stateOf(revokeAnswers.keySet());
            var outcomes = new TreeMap<String, Integer>();
            var inconsistent = new ArrayList<String>();
            states.forEach((id, state) -> {
                boolean ran = trial.executions(id) > 0;
                boolean succeeded = trial.succeeded(id);
                int answer = revokeAnswers.get(id);
                String outcome = switch (state) {
                    case "REVOKED" -> ran ? "revoked while running (terminate)" : "revoked before it started";
                    case "SUCCESS" -> answer == 409 ? "finished before the revoke (409)" : "finished, revoke too late";
                    default -> "unexpected " + state;
                };
                outcomes.merge(outcome, 1, Integer::sum);
                boolean consistent = switch (state) {
                    case "REVOKED" -> !succeeded && answer == 202 && (!ran || terminated.contains(id));
                    case "SUCCESS" -> succeeded;
                    default -> false;
                };
                if (!consistent || (answer == 409 && !"SUCCESS".equals(state))) {
                    inconsistent.add(
                            id + " " + state + " revoke " + answer + " ran " + ran + " succeeded " + succeeded);
                }
            });
            trial.report("revoke races", "outcomes %s".formatted(outcomes));
            trial.assertNothingLost();
            assertThat(states).hasSize(300);
            // The race was run: some revokes won before the start, some during the run, some came too late.
            assertThat(outcomes).containsKeys("revoked before it started", "revoked while running (terminate)");
            assertThat(outcomes.keySet()).anyMatch(outcome -> outcome.startsWith("finished"));
            assertThat(inconsistent).isEmpty();
        }
    }

    /**
     * Scenario 10b: tasks are revoked while no worker runs, then the API is killed, the broker restarted, and a new
     * API and new workers started. The revocations hold: not one revoked task runs; every other task succeeds.
     */
    @Test
    void revocationsHoldAcrossARestartOfEveryComponent() throws Exception {
        try (var trial = Trial.start("revoke-restart", logs)) {
            Stack stack = trial.stack();
            JavaProcess api = stack.api();
            var rest = new Rest(api, Stack.API_KEY);
            TaskClient client = stack.producer(true).getBean(TaskClient.class);
            trial.watch();
            List<String> ids = trial.submit(client, 200, () -> TaskRequest.of("demo.add", 2, 3));
            List<String> revoked = ids.subList(0, 100);
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> trial.count("PENDING") == ids.size());
            for (String id : revoked) {
                assertThat(rest.delete("/api/v1/tasks/" + id).statusCode()).isEqualTo(202);
            }

            api.kill();
            var broker = RabbitBroker.get();
            broker.stopApp();
            broker.startApp();
            stack.api();
            stack.worker("w1", List.of());
            stack.worker("w2", List.of());
            trial.awaitAllTerminal(Duration.ofMinutes(2));

            Map<String, String> states = trial.stateOf(ids);
            long revokedRan =
                    revoked.stream().filter(id -> trial.executions(id) > 0).count();
            trial.report(
                    "revoke then restart everything",
                    "revoked %d of %d before the restart, revoked tasks that ran %d"
                            .formatted(revoked.size(), ids.size(), revokedRan));
            trial.assertNothingLost();
            assertThat(revoked).allMatch(id -> "REVOKED".equals(states.get(id)));
            assertThat(ids.subList(100, 200)).allMatch(id -> "SUCCESS".equals(states.get(id)));
            assertThat(revokedRan).isZero();
        }
    }
}
