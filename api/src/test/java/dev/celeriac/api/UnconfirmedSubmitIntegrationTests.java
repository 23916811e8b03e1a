package dev.celeriac.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import dev.celeriac.testsupport.broker.RabbitEndpoint;
import dev.celeriac.testsupport.http.ApiCalls;
import dev.celeriac.testsupport.proxy.FaultProxy;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A submit whose confirm does not come in time, made so on purpose: the API reaches the broker through a proxy that
 * holds every byte for longer than the API's confirm time-out. The broker may or may not have such a task, so the
 * API must neither answer 202 (it is not confirmed) nor forget it (the broker's copy runs): it answers 503
 * {@code publish-unconfirmed} with the task's id, keeps the task in the ledger, and the same Idempotency-Key finds it.
 */
class UnconfirmedSubmitIntegrationTests {

    private static final String KEY = "admin-key-for-the-unconfirmed-test";
    private static final Duration HELD = Duration.ofSeconds(5);

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    private static final JsonMapper json = JsonMapper.builder().build();
    private static FaultProxy proxy;
    private static ConfigurableApplicationContext api;
    private static ConfigurableApplicationContext worker;
    private static ApiCalls calls;

    @BeforeAll
    static void start() throws Exception {
        RabbitEndpoint direct = rabbit.endpoint();
        proxy = FaultProxy.to(direct.host(), direct.port());
        var throughProxy = new RabbitEndpoint(
                "127.0.0.1", proxy.port(), direct.username(), direct.password(), direct.virtualHost());
        var arguments = TestApps.apiArguments(throughProxy, TestApps.h2Ledger());
        arguments.add("--celeriac.topology.queues.default.kind=quorum");
        arguments.add("--celeriac.producer.confirm-timeout=2s");
        arguments.add("--celeriac.api.keys=" + KEY + ":admin");
        arguments.add("--celeriac.worker.enabled=false");
        // Long enough that only the broker's own copy of the task can run it within the test.
        arguments.add("--celeriac.api.outbox-grace=60s");
        api = new SpringApplicationBuilder(CeleriacApiApplication.class).run(arguments.toArray(String[]::new));
        calls = new ApiCalls("http://127.0.0.1:" + api.getEnvironment().getProperty("local.server.port"), KEY);
        worker = TestApps.demoWorker(TestApps.brokerArguments(direct));
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> get("/api/v1/workers").body().contains("demo.add"));
        // The publisher opens each of its channels on the first publish that uses it: open them all before the proxy
        // holds bytes (a channel opened through it takes two round trips of twice the hold), with a batch of more
        // tasks than it has channels, and a single submit.
        String task = "{\"task\": \"demo.add\", \"args\": [0, 0]}";
        HttpResponse<String> warm = submit(task, "warm-up");
        assertThat(warm.statusCode()).as(warm.body()).isEqualTo(202);
        HttpResponse<String> warmBatch = calls.send(
                "POST", "/api/v1/tasks/batch", "{\"tasks\": [" + String.join(",", Collections.nCopies(8, task)) + "]}");
        assertThat(warmBatch.statusCode()).as(warmBatch.body()).isEqualTo(202);
    }

    @AfterAll
    static void stop() throws Exception {
        TestApps.close(worker, api, proxy);
    }

    @Test
    void aTaskTheBrokerDidNotConfirmInTimeIsKeptNotRefusedAndItsKeyFindsIt() throws Exception {
        String body = "{\"task\": \"demo.add\", \"args\": [20, 22]}";
        proxy.latency(HELD);
        HttpResponse<String> first;
        try {
            first = submit(body, "unconfirmed-1");
        } finally {
            proxy.restore(); // new bytes pass at once; those already held arrive when their time is up
        }

        assertThat(first.statusCode()).as(first.body()).isEqualTo(503);
        JsonNode problem = json.readTree(first.body());
        assertThat(problem.get("type").asString()).as(first.body()).endsWith("/publish-unconfirmed");
        String id = problem.get("taskId").asString();
        assertThat(problem.get("detail").asString()).contains(id, "published again");
        assertThat(first.headers().firstValue("Retry-After")).hasValue("5");

        // Kept, not forgotten: the ledger knows it at once, and the broker's copy runs once the proxy lets it through.
        assertThat(get("/api/v1/tasks/" + id).statusCode()).isEqualTo(200);
        JsonNode done = json.readTree(get("/api/v1/tasks/" + id + "?wait=30").body());
        assertThat(done.get("state").asString()).isEqualTo("SUCCESS");
        assertThat(done.get("result").asInt()).isEqualTo(42);

        // The same key finds the same task, and answers at once now that a worker has reported it.
        HttpResponse<String> again = submit(body, "unconfirmed-1");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
        assertThat(json.readTree(again.body()).get("id").asString()).isEqualTo(id);
    }

    @Test
    void aBatchTheBrokerDidNotConfirmInTimeListsItsTasksAsUnconfirmedAndRunsThem() throws Exception {
        proxy.latency(HELD);
        HttpResponse<String> answer;
        try {
            answer = calls.send("POST", "/api/v1/tasks/batch", """
                    {"tasks": [{"task": "demo.add", "args": [1, 2]}, {"task": "demo.add", "args": [3, 4]}]}""");
        } finally {
            proxy.restore();
        }

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
        JsonNode problem = json.readTree(answer.body());
        assertThat(problem.get("type").asString()).as(answer.body()).endsWith("/publish-unconfirmed");
        assertThat(problem.get("accepted")).as(answer.body()).isEmpty();
        JsonNode unconfirmed = problem.get("unconfirmed");
        assertThat(unconfirmed).as(answer.body()).hasSize(2);
        // Both kept: each runs once the broker's copy arrives, with its own arguments.
        var results = new ArrayList<Integer>();
        for (JsonNode id : unconfirmed) {
            JsonNode done = json.readTree(
                    get("/api/v1/tasks/" + id.asString() + "?wait=30").body());
            assertThat(done.get("state").asString()).isEqualTo("SUCCESS");
            results.add(done.get("result").asInt());
        }
        assertThat(results).containsExactlyInAnyOrder(3, 7);
    }

    @Test
    void aScheduleFiredByHandWhoseTaskTheBrokerDidNotConfirmCountsAsFiredOnce() throws Exception {
        // A one-off a day away: only the trigger below fires it.
        String schedule = "unconfirmed-fire";
        HttpResponse<String> created = calls.send("POST", "/api/v1/schedules", """
                {"id": "%s", "at": "%s", "task": "demo.add", "args": [40, 2]}""".formatted(
                        schedule, Instant.now().plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS)));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

        proxy.latency(HELD);
        HttpResponse<String> fired;
        try {
            fired = calls.send("POST", "/api/v1/schedules/" + schedule + "/trigger", null);
        } finally {
            proxy.restore();
        }

        assertThat(fired.statusCode()).as(fired.body()).isEqualTo(503);
        JsonNode problem = json.readTree(fired.body());
        assertThat(problem.get("type").asString()).endsWith("/publish-unconfirmed");
        String id = problem.get("taskId").asString();
        // The fire is recorded with its task, which runs once the broker's copy arrives.
        JsonNode fires = json.readTree(
                        get("/api/v1/schedules/" + schedule + "/fires").body())
                .get("fires");
        assertThat(fires).hasSize(1);
        assertThat(fires.get(0).get("taskId").asString()).isEqualTo(id);
        JsonNode done = json.readTree(get("/api/v1/tasks/" + id + "?wait=30").body());
        assertThat(done.get("state").asString()).isEqualTo("SUCCESS");
        assertThat(done.get("result").asInt()).isEqualTo(42);
    }

    private static HttpResponse<String> submit(String body, String key) throws Exception {
        return calls.send("POST", "/api/v1/tasks", body, Map.of("Idempotency-Key", key));
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return calls.send("GET", path, null);
    }
}
