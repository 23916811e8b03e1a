package dev.celeriac.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.bench.stack.Stack;
import dev.celeriac.producer.SubmitOptions;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenarios 9, 10a and 14 of the reliability suite: requests that race each other or a running task, and a revoke
 * that outlives a worker's read-back of the revocation stream.
 */
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
            var ids = new HashSet<String>();
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
     * Scenario 10a: revokes that meet a task at each point of its life, each made to happen on purpose rather than
     * left to timing: before it can start (its ETA is seconds away), while it surely runs (its task-started was seen),
     * with and without terminate, and after it finished. The ledger agrees with what ran in every case: REVOKED and
     * never started, REVOKED and interrupted, SUCCESS despite a revoke that does not terminate, 409 for a finished task.
     */
    @Test
    void revokesMeetingATaskBeforeDuringAndAfterItsRunEndConsistent() throws Exception {
        try (var trial = Trial.start("revoke", logs)) {
            Stack stack = trial.stack();
            var rest = new Rest(stack.api(), Stack.API_KEY);
            stack.worker(
                    "w1",
                    List.of(),
                    "--celeriac.worker.queues.default.concurrency=64",
                    "--celeriac.demo.fault-tasks=true");
            TaskClient client = stack.producer(true).getBean(TaskClient.class);
            trial.watch();
            int each = 25;

            // Not started: each waits in the delay ladder for 30 s, and is revoked as soon as the ledger knows it.
            List<String> beforeStart = trial.submit(
                    client,
                    each,
                    () -> new TaskRequest(
                            "demo.add",
                            List.of(1, 1),
                            Map.of(),
                            SubmitOptions.defaults().withCountdown(Duration.ofSeconds(30))));
            // Running: long sleeps, revoked once the worker announced their start, with and without terminate.
            List<String> terminated = trial.submit(client, each, () -> TaskRequest.of("demo.sleep", 60_000));
            // Held running until the gate opens after their revokes, however slow the day.
            Path gate = logs.resolve("revoke-gate");
            List<String> runningOn = trial.submit(client, each, () -> TaskRequest.of("demo.hold", gate.toString(), 8));
            // Finished: revoked once the ledger says SUCCESS.
            List<String> finished = trial.submit(client, each, () -> TaskRequest.of("demo.add", 2, 2));

            var answers = new ConcurrentHashMap<String, Integer>();
            await().atMost(Duration.ofSeconds(20)).until(() -> trial.allIn(beforeStart, "PENDING"));
            beforeStart.forEach(
                    id -> answers.put(id, rest.delete("/api/v1/tasks/" + id).statusCode()));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> terminated.stream().allMatch(id -> trial.executions(id) > 0)
                            && runningOn.stream().allMatch(id -> trial.executions(id) > 0));
            terminated.forEach(id -> answers.put(
                    id, rest.delete("/api/v1/tasks/" + id + "?terminate=true").statusCode()));
            runningOn.forEach(
                    id -> answers.put(id, rest.delete("/api/v1/tasks/" + id).statusCode()));
            Files.createFile(gate);
            await().atMost(Duration.ofSeconds(30)).until(() -> trial.allIn(finished, "SUCCESS"));
            finished.forEach(
                    id -> answers.put(id, rest.delete("/api/v1/tasks/" + id).statusCode()));
            trial.awaitAllTerminal(Duration.ofMinutes(1));

            var outcomes = new TreeMap<String, String>();
            outcomes.put("revoked before it started", summary(trial, beforeStart, answers));
            outcomes.put("revoked with terminate while running", summary(trial, terminated, answers));
            outcomes.put("revoked without terminate while running", summary(trial, runningOn, answers));
            outcomes.put("revoked after it finished", summary(trial, finished, answers));
            trial.report("revoke races", "outcomes %s".formatted(outcomes));
            trial.assertNothingLost();
            assertThat(outcomes)
                    .containsEntry("revoked before it started", each + " REVOKED, answered 202, ran 0, succeeded 0")
                    .containsEntry(
                            "revoked with terminate while running",
                            each + " REVOKED, answered 202, ran " + each + ", succeeded 0")
                    .containsEntry(
                            "revoked without terminate while running",
                            each + " SUCCESS, answered 202, ran " + each + ", succeeded " + each)
                    .containsEntry(
                            "revoked after it finished",
                            each + " SUCCESS, answered 409, ran " + each + ", succeeded " + each);
        }
    }

    /** What happened to a group of tasks: their states, the revoke's answers, how many ran and succeeded. */
    private static String summary(Trial trial, List<String> ids, Map<String, Integer> answers) throws Exception {
        var states = new TreeMap<String, Integer>();
        trial.stateOf(ids).values().forEach(state -> states.merge(state, 1, Integer::sum));
        var statuses = new TreeMap<Integer, Integer>();
        ids.forEach(id -> statuses.merge(answers.get(id), 1, Integer::sum));
        String state = states.size() == 1
                ? states.values().iterator().next() + " "
                        + states.keySet().iterator().next()
                : states.toString();
        String answered = statuses.size() == 1
                ? "answered " + statuses.keySet().iterator().next()
                : "answered " + statuses;
        long ran = ids.stream().filter(id -> trial.executions(id) > 0).count();
        long succeeded = ids.stream().filter(trial::succeeded).count();
        return state + ", " + answered + ", ran " + ran + ", succeeded " + succeeded;
    }

    /**
     * Scenario 14: a revocation outlives a worker's read-back of the revocation stream. Workers read only the last 6 s
     * of the stream when they start; tasks due in 30 s are revoked, and the first worker starts 20 s later. The API
     * announces each revocation again every quarter of its 20-s horizon while its task can still arrive, so the late
     * worker knows every one of them: not one revoked task runs, and every other task does.
     */
    @Test
    void aRevocationHoldsLongAfterAWorkersReadBackOfTheStreamForATaskDueLater() throws Exception {
        try (var trial = Trial.start("revoke-horizon", logs)) {
            Stack stack = trial.stack();
            var rest = new Rest(stack.api("--celeriac.api.revocation-horizon=20s"), Stack.API_KEY);
            // A worker registers the task names, then stops; none runs while the revocations are made.
            stack.worker("registers", List.of()).terminate();
            trial.watch();
            var ids = new ArrayList<String>();
            for (int i = 0; i < 100; i++) {
                HttpResponse<String> response =
                        rest.post("/api/v1/tasks", "{\"task\":\"demo.add\",\"args\":[1,2],\"countdown\":30}");
                assertThat(response.statusCode()).isEqualTo(202);
                ids.add(Rest.json(response).get("id").asString());
            }
            ids.forEach(trial::accepted);
            List<String> revoked = ids.subList(0, 50);
            for (String id : revoked) {
                assertThat(rest.delete("/api/v1/tasks/" + id).statusCode()).isEqualTo(202);
            }
            long revokedAt = System.nanoTime();

            Thread.sleep(Duration.ofSeconds(20)); // well past the 6 s a starting worker reads back
            long startedAfter = Duration.ofNanos(System.nanoTime() - revokedAt).toSeconds();
            stack.worker("late", List.of(), "--celeriac.worker.revocation-retention=6s");
            trial.awaitAllTerminal(Duration.ofMinutes(1));

            Map<String, String> states = trial.stateOf(ids);
            long revokedRan = trial.ranAny(revoked);
            trial.report(
                    "revocation horizon",
                    "revoked %d of %d, worker started %d s after the revokes with a read-back of 6 s, revoked that ran %d"
                            .formatted(revoked.size(), ids.size(), startedAfter, revokedRan));
            trial.assertNothingLost();
            assertThat(revoked).allMatch(id -> "REVOKED".equals(states.get(id)));
            assertThat(ids.subList(50, 100)).allMatch(id -> "SUCCESS".equals(states.get(id)));
            assertThat(revokedRan).isZero();
        }
    }
}
