package dev.celeriac.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.bench.stack.JavaProcess;
import dev.celeriac.bench.stack.Stack;
import dev.celeriac.testsupport.broker.RabbitCluster;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 8 of the reliability suite: more work than the system can take. A full queue refuses tasks (429) and a
 * broker memory alarm blocks publishing (503), both with Retry-After; nothing answered 202 is dropped, the workers go
 * on finishing what they hold, and service is normal once the pressure is gone.
 */
class BackpressureReliabilityTests {

    private static final int MAX_LENGTH = 200;
    private static final String LENGTH = "--celeriac.topology.queues.default.max-length=" + MAX_LENGTH;

    @TempDir
    static Path logs;

    @Test
    void aFullQueueRefusesWith429AndDropsNothingItAccepted() throws Exception {
        try (var trial = Trial.start("full-queue", logs)) {
            Stack stack = trial.stack();
            var rest = new Rest(stack.api(LENGTH), Stack.API_KEY);
            // A worker registers the task name, then stops: the queue fills whatever speed anything runs at.
            JavaProcess first = stack.worker("registers", List.of(), LENGTH);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> rest.get("/api/v1/workers").body().contains("demo.sleep"));
            first.terminate();
            trial.watch();

            // Eight clients until the broker has refused a good many, or for at most a minute.
            var answers = new ConcurrentHashMap<Integer, AtomicInteger>();
            var withoutRetryAfter = new AtomicInteger();
            long until = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 0; c < 8; c++) {
                    clients.submit(() -> {
                        while (System.nanoTime() < until
                                && answers.getOrDefault(429, new AtomicInteger())
                                                .get()
                                        < 100) {
                            HttpResponse<String> response = rest.post("/api/v1/tasks", Rest.task("demo.sleep", "[10]"));
                            answers.computeIfAbsent(response.statusCode(), s -> new AtomicInteger())
                                    .incrementAndGet();
                            if (response.statusCode() == 202) {
                                trial.accepted(Rest.json(response).get("id").asString());
                            } else if (response.headers()
                                    .firstValue("Retry-After")
                                    .isEmpty()) {
                                withoutRetryAfter.incrementAndGet();
                            }
                        }
                        return null;
                    });
                }
            }
            int queued = trial.queue("default").getMessageCount();
            long pendingInLedger = trial.count("PENDING");

            // A worker drains the queue; every task answered 202 runs, and submits are taken again.
            stack.worker("drains", List.of(), LENGTH, "--celeriac.worker.queues.default.concurrency=8");
            trial.awaitAllTerminal(Duration.ofMinutes(2));
            HttpResponse<String> after = rest.post("/api/v1/tasks", Rest.task("demo.sleep", "[1]"));

            var statuses = new TreeMap<Integer, Integer>();
            answers.forEach((status, n) -> statuses.put(status, n.get()));
            trial.report(
                    "queue full",
                    "max length %d, answers %s, queued when the flood stopped %d, PENDING in the ledger %d, submit after it %d"
                            .formatted(MAX_LENGTH, statuses, queued, pendingInLedger, after.statusCode()));
            trial.assertNothingLost();
            assertThat(statuses).containsOnlyKeys(202, 429);
            assertThat(statuses.get(429)).isGreaterThanOrEqualTo(100);
            assertThat(withoutRetryAfter.get()).isZero();
            // What was answered 202 is what the queue held, and what the ledger kept: refused tasks left no trace.
            assertThat(queued).isEqualTo(statuses.get(202));
            assertThat(pendingInLedger).isEqualTo(statuses.get(202).longValue());
            assertThat(queued).isBetween(MAX_LENGTH - 20, MAX_LENGTH + 20);
            assertThat(after.statusCode()).isEqualTo(202);
            trial.accepted(Rest.json(after).get("id").asString());
            trial.awaitAllTerminal(Duration.ofSeconds(30));
            assertThat(trial.states()).containsOnlyKeys("SUCCESS");
        }
    }

    @Test
    void aMemoryAlarmAnswers503AndWorkersFinishWhatTheyHoldOnceItClears() throws Exception {
        try (var own = RabbitCluster.start(1);
                var trial = Trial.start("memory-alarm", logs, own)) {
            Stack stack = trial.stack();
            // The submit that meets the alarm first is sent, then held unconfirmed until the alarm clears: it is kept
            // (503 publish-unconfirmed) and the broker runs it then. A grace longer than the alarm keeps the outbox
            // relay from publishing it a second time in the instant the alarm clears, which is not what this tests.
            var rest = new Rest(stack.api("--celeriac.api.outbox-grace=60s"), Stack.API_KEY);
            stack.worker("w1", List.of(), "--celeriac.worker.queues.default.concurrency=4");
            trial.watch();
            for (int i = 0; i < 200; i++) {
                HttpResponse<String> response = rest.post("/api/v1/tasks", Rest.task("demo.sleep", "[100]"));
                assertThat(response.statusCode()).isEqualTo(202);
                trial.accepted(Rest.json(response).get("id").asString());
            }

            var answers = new TreeMap<Integer, Integer>();
            long withoutRetryAfter = 0;
            long slowest = 0;
            long succeededAtAlarm;
            long succeededAtClear;
            String watermark = own.rabbitmqctl("eval", "vm_memory_monitor:get_vm_memory_high_watermark().")
                    .strip();
            try {
                own.rabbitmqctl("set_vm_memory_high_watermark", "0.0000001");
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> own.rabbitmqctl("eval", "rabbit_alarm:get_alarms().")
                                .contains("memory"));
                succeededAtAlarm = trial.count("SUCCESS");
                for (int i = 0; i < 10; i++) {
                    long started = System.nanoTime();
                    HttpResponse<String> response = rest.post("/api/v1/tasks", Rest.task("demo.sleep", "[1]"));
                    slowest = Math.max(slowest, System.nanoTime() - started);
                    answers.merge(response.statusCode(), 1, Integer::sum);
                    if (response.statusCode() == 202) {
                        trial.accepted(Rest.json(response).get("id").asString());
                    } else if (response.headers().firstValue("Retry-After").isEmpty()) {
                        withoutRetryAfter++;
                    }
                    Thread.sleep(500);
                }
                succeededAtClear = trial.count("SUCCESS");
            } finally {
                own.rabbitmqctl("set_vm_memory_high_watermark", watermark);
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> rest.post("/api/v1/tasks", Rest.task("demo.add", "[1,2]"))
                                    .statusCode()
                            == 202);
            trial.awaitAllTerminal(Duration.ofMinutes(2));
            trial.report(
                    "memory alarm",
                    "REST answers during the alarm %s (slowest %d ms), tasks recorded done during the alarm %d (outcomes wait for the broker), ran twice %d"
                            .formatted(
                                    answers,
                                    slowest / 1_000_000,
                                    succeededAtClear - succeededAtAlarm,
                                    trial.ranTwice()));
            trial.assertNothingLost();
            assertThat(answers).containsOnlyKeys(503);
            assertThat(withoutRetryAfter).isZero();
            assertThat(trial.ranTwice()).isZero();
            assertThat(trial.states().keySet()).containsOnly("SUCCESS");
        }
    }
}
