package dev.celeriac.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Connection;
import dev.celeriac.bench.stack.JavaProcess;
import dev.celeriac.bench.stack.Stack;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskHandle;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.protocol.event.EventCodec;
import dev.celeriac.protocol.event.TaskEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * Scenario 1 of the reliability suite: one of two worker JVMs is killed with SIGKILL half-way through a run. Every
 * accepted task must end SUCCESS (lost = 0), none may stay STARTED, and only the tasks the killed worker held may
 * run twice (at most its prefetch: pool 8 + lookahead 1).
 */
class WorkerCrashReliabilityTests {

    private static final int TASKS = 2_000;
    private static final int POOL = 8;
    private static final int PREFETCH = POOL + 1;

    @TempDir
    static Path logs;

    @Test
    void sigkillOfOneWorkerLosesNothingAndRerunsAtMostItsPrefetch() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        try (var stack = new Stack(
                root,
                "127.0.0.1",
                "celeriac-reliability-crash",
                "jdbc:postgresql://127.0.0.1:5432/",
                "postgres",
                logs)) {
            stack.reset();
            stack.api();
            String concurrency = "--celeriac.worker.queues.default.concurrency=" + POOL;
            JavaProcess victim = stack.worker("victim", List.of(), concurrency);
            stack.worker("survivor", List.of(), concurrency);
            TaskClient client = stack.producer(true).getBean(TaskClient.class);

            // Every execution, as the workers announce them: a task started twice ran twice.
            Map<String, AtomicInteger> starts = new ConcurrentHashMap<>();
            EventCodec codec = new EventCodec(JsonMapper.builder().build());
            Connection watch = stack.connections().newConnection();
            var channel = watch.createChannel();
            String queue = channel.queueDeclare().getQueue();
            channel.queueBind(queue, "celeryev", "task.#");
            channel.basicConsume(
                    queue,
                    true,
                    (tag, delivery) -> codec.decode(delivery.getBody()).forEach(event -> {
                        if (event instanceof TaskEvent.Started started) {
                            starts.computeIfAbsent(started.uuid(), id -> new AtomicInteger())
                                    .incrementAndGet();
                        }
                    }),
                    tag -> {});

            Set<String> accepted = new HashSet<>();
            for (int batch = 0; batch < TASKS / 200; batch++) {
                var requests = new ArrayList<TaskRequest>();
                for (int i = 0; i < 200; i++) {
                    requests.add(TaskRequest.of("demo.sleep", 20));
                }
                client.submitAll(requests).stream().map(TaskHandle::id).forEach(accepted::add);
            }
            assertThat(accepted).hasSize(TASKS);

            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> stack.ledgerStates(accepted).getOrDefault("SUCCESS", 0L) >= TASKS / 2);
            victim.kill();
            long killedAt = stack.ledgerStates(accepted).getOrDefault("SUCCESS", 0L);

            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> stack.ledgerStates(accepted).getOrDefault("SUCCESS", 0L) == TASKS);
            Map<String, Long> states = stack.ledgerStates(accepted);
            long twice = starts.values().stream().filter(n -> n.get() > 1).count();
            System.out.printf(
                    "reliability: worker SIGKILL at %d of %d done; lost %d; ran twice %d (bound %d); states %s%n",
                    killedAt, TASKS, TASKS - states.getOrDefault("SUCCESS", 0L), twice, PREFETCH, states);

            assertThat(states).containsExactly(Map.entry("SUCCESS", (long) TASKS));
            assertThat(twice).isLessThanOrEqualTo(PREFETCH);
            assertThat(starts.keySet()).containsAll(accepted);
            watch.close();
        }
    }
}
