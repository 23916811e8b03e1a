package dev.celeriac.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.bench.stack.JavaProcess;
import dev.celeriac.bench.stack.Stack;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.testsupport.proxy.FaultProxy;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 5 of the reliability suite: the ledger's database goes away while producers and workers carry on. REST
 * answers 503 with {@code Retry-After}, the recorder acks nothing it could not store, and the ledger is complete once
 * the database is back.
 */
class DatabaseOutageReliabilityTests {

    private static final String CONCURRENCY = "--celeriac.worker.queues.default.concurrency=8";

    @TempDir
    static Path logs;

    /**
     * Scenario 5: the API's connections to PostgreSQL are cut and refused for 30 s (a fault proxy between them).
     * REST answers 503 with Retry-After, the recorder acks nothing it could not store, and the ledger is complete
     * once the database is back.
     */
    @Test
    void postgresDownForThirtySecondsAnswers503AndLosesNoEvent() throws Exception {
        try (var trial = Trial.start("database", logs);
                var database = FaultProxy.to("127.0.0.1", 5432)) {
            Stack stack = trial.stack();
            JavaProcess api = stack.apiWithLedger(stack.ledgerUrl().replace(":5432/", ":" + database.port() + "/"));
            stack.worker("w1", List.of(), CONCURRENCY);
            TaskClient client = stack.producer(true).getBean(TaskClient.class);
            trial.watch();
            var rest = new Rest(api, Stack.API_KEY);
            String known = submitOverRest(trial, rest);

            var answers = new TreeMap<Integer, Integer>();
            long withoutRetryAfter = 0;
            long backlog;
            try (var feed = trial.keepSubmitting(client, 20, () -> TaskRequest.of("demo.sleep", 10))) {
                Thread.sleep(3_000);
                database.disconnect();
                long down = System.nanoTime();
                while (System.nanoTime() - down < Duration.ofSeconds(30).toNanos()) {
                    for (var response : List.of(
                            rest.post("/api/v1/tasks", Rest.task("demo.sleep", "[10]")),
                            rest.get("/api/v1/tasks/" + known))) {
                        answers.merge(response.statusCode(), 1, Integer::sum);
                        if (response.statusCode() == 202) {
                            trial.accepted(Rest.json(response).get("id").asString());
                        }
                        if (response.statusCode() == 503
                                && response.headers().firstValue("Retry-After").isEmpty()) {
                            withoutRetryAfter++;
                        }
                    }
                    Thread.sleep(500);
                }
                backlog = trial.eventBacklog();
                database.restore();
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> rest.get("/api/v1/tasks/" + known).statusCode() == 200);
                submitOverRest(trial, rest);
            }
            trial.awaitAllTerminal(Duration.ofMinutes(2));
            trial.report(
                    "PostgreSQL down 30 s",
                    "REST answers while down %s, events waiting at the end of the outage %d"
                            .formatted(answers, backlog));
            trial.assertNothingLost();
            assertThat(answers).containsOnlyKeys(503);
            assertThat(withoutRetryAfter).isZero();
            assertThat(backlog).as("events kept while the database was down").isGreaterThan(500);
            assertThat(trial.states()).containsOnlyKeys("SUCCESS");
        }
    }

    private static String submitOverRest(Trial trial, Rest rest) {
        HttpResponse<String> response = rest.post("/api/v1/tasks", Rest.task("demo.sleep", "[10]"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String id = Rest.json(response).get("id").asString();
        trial.accepted(id);
        return id;
    }
}
