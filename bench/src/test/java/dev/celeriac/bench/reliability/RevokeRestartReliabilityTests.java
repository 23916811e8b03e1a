package dev.celeriac.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.bench.stack.JavaProcess;
import dev.celeriac.bench.stack.Stack;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.testsupport.broker.RabbitCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scenario 10b of the reliability suite, on a RabbitMQ node of its own, which it restarts. */
class RevokeRestartReliabilityTests {

    @TempDir
    static Path logs;

    /**
     * Scenario 10b: tasks are revoked while no worker runs, then the API is killed, the broker restarted, and a new
     * API and new workers started. The revocations hold: not one revoked task runs; every other task succeeds.
     */
    @Test
    void revocationsHoldAcrossARestartOfEveryComponent() throws Exception {
        try (var own = RabbitCluster.start(1);
                var trial = Trial.start("revoke-restart", logs, own)) {
            Stack stack = trial.stack();
            JavaProcess api = stack.api();
            var rest = new Rest(api, Stack.API_KEY);
            TaskClient client = stack.producer(true).getBean(TaskClient.class);
            trial.watch();
            List<String> ids = trial.submit(client, 200, () -> TaskRequest.of("demo.add", 2, 3));
            List<String> revoked = ids.subList(0, 100);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> trial.count("PENDING") == ids.size());
            for (String id : revoked) {
                assertThat(rest.delete("/api/v1/tasks/" + id).statusCode()).isEqualTo(202);
            }

            api.kill();
            RabbitCluster.Node broker = own.nodes().getFirst();
            own.stopApp(broker);
            own.startApp(broker);
            stack.api();
            stack.worker("w1", List.of());
            stack.worker("w2", List.of());
            trial.awaitAllTerminal(Duration.ofMinutes(2));

            Map<String, String> states = trial.stateOf(ids);
            long revokedRan = trial.ranAny(revoked);
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
