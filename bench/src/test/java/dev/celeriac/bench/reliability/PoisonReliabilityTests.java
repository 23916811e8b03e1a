package dev.celeriac.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import dev.celeriac.bench.stack.JavaProcess;
import dev.celeriac.bench.stack.Stack;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Scenario 7 of the reliability suite: poison among ordinary tasks. Undecodable bodies and unknown task names are
 * dead-lettered on their first delivery; a task that halts its worker's JVM crashes a worker per delivery until the
 * quorum queue's delivery limit dead-letters it. A supervisor (this test) restarts crashed workers, as systemd or
 * Kubernetes would. Every ordinary task succeeds, and each poison message ends in the dead letters with its reason.
 */
class PoisonReliabilityTests {

    private static final int DELIVERY_LIMIT = 3;
    private static final String LIMIT = "--celeriac.topology.queues.default.delivery-limit=" + DELIVERY_LIMIT;

    @TempDir
    static Path logs;

    @Test
    void poisonIsDeadLetteredWithinTheDeliveryLimitAndEveryOtherTaskSucceeds() throws Exception {
        try (var trial = Trial.start("poison", logs)) {
            Stack stack = trial.stack();
            var rest = new Rest(stack.api(LIMIT), Stack.API_KEY);
            var workers = new JavaProcess[] {worker(stack, "w1"), worker(stack, "w2")};
            TaskClient client = stack.producer(true, LIMIT).getBean(TaskClient.class);
            trial.watch();

            var crashes = new AtomicInteger();
            var supervising = new AtomicBoolean(true);
            Thread supervisor = Thread.ofPlatform().name("supervisor").start(() -> {
                while (supervising.get()) {
                    for (int i = 0; i < workers.length; i++) {
                        if (!workers[i].isAlive()) {
                            crashes.incrementAndGet();
                            try {
                                workers[i] = worker(stack, "w" + (i + 1));
                            } catch (InterruptedException e) {
                                return;
                            } catch (IllegalStateException e) {
                                // It took the poison before it was even ready: it is restarted on the next round.
                            }
                        }
                    }
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });

            trial.submit(client, 500, () -> TaskRequest.of("demo.sleep", 5));
            String halt =
                    trial.submit(client, 1, () -> TaskRequest.of("demo.halt")).getFirst();
            List<String> unknown = trial.submit(client, 2, () -> TaskRequest.of("demo.no-such-task"));
            publishUndecodable(stack, "{\"this is\": not json");
            publishUndecodable(stack, "\u0000\u0001binary");
            trial.submit(client, 500, () -> TaskRequest.of("demo.sleep", 5));

            trial.awaitAllTerminal(Duration.ofMinutes(6)); // each crash restarts a worker JVM: slow on a loaded machine
            await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters(rest).size() >= 5);
            supervising.set(false);
            supervisor.join();

            var reasons = new TreeMap<String, Integer>();
            deadLetters(rest).forEach(d -> reasons.merge(d.path("reason").asString("?"), 1, Integer::sum));
            Map<String, String> poisonStates = trial.stateOf(List.of(halt, unknown.get(0), unknown.get(1)));
            trial.report(
                    "poison",
                    "worker crashes %d (delivery limit %d), dead letters by reason %s, poison states %s"
                            .formatted(crashes.get(), DELIVERY_LIMIT, reasons, poisonStates));
            trial.assertNothingLost();
            assertThat(trial.count("SUCCESS")).isEqualTo(1_000);
            assertThat(poisonStates)
                    .containsOnly(
                            Map.entry(halt, "FAILURE"),
                            Map.entry(unknown.get(0), "FAILURE"),
                            Map.entry(unknown.get(1), "FAILURE"));
            assertThat(reasons)
                    .containsOnly(
                            Map.entry("delivery_limit", 1), Map.entry("unknown-task", 2), Map.entry("malformed", 2));
            assertThat(crashes.get()).isBetween(1, DELIVERY_LIMIT + 1);
        }
    }

    private static JavaProcess worker(Stack stack, String name) throws InterruptedException {
        return stack.worker(
                name,
                List.of(),
                LIMIT,
                "--celeriac.demo.fault-tasks=true",
                "--celeriac.worker.queues.default.concurrency=4");
    }

    /** A message on the work queue that no Celery codec can read. */
    private static void publishUndecodable(Stack stack, String body) throws Exception {
        try (var connection = stack.connect("reliability-check");
                var channel = connection.createChannel()) {
            channel.confirmSelect();
            var properties = new AMQP.BasicProperties.Builder()
                    .contentType("application/json")
                    .contentEncoding("utf-8")
                    .deliveryMode(2)
                    .headers(Map.of("task", "demo.add", "id", UUID.randomUUID().toString()))
                    .build();
            channel.basicPublish("", "default", true, properties, body.getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(5_000);
        }
    }

    private static List<JsonNode> deadLetters(Rest rest) {
        var list = Rest.json(rest.get("/api/v1/dead-letters?limit=1000")).get("deadLetters");
        return list.valueStream().toList();
    }
}
