package dev.celeriac.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.api.deadletters.DeadLetterStore;
import dev.celeriac.api.internal.idempotency.IdempotencyStore;
import dev.celeriac.api.internal.ledger.TaskChange;
import dev.celeriac.api.internal.ledger.TaskProjection;
import dev.celeriac.api.internal.ledger.TaskStore;
import dev.celeriac.api.internal.outbox.OutboxStore;
import dev.celeriac.api.submit.SubmitRequest;
import dev.celeriac.producer.SubmitOptions;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.producer.amqp.TaskPublisher;
import dev.celeriac.protocol.control.RateLimit;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.testsupport.broker.RabbitEndpoint;
import dev.celeriac.worker.internal.control.Revocations;
import dev.celeriac.worker.ratelimit.RateLimiter;
import io.micrometer.tracing.handler.TracingObservationHandler;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the REST API promises, end to end: a real API on a random port, a real worker, a real broker, and the ledger
 * on the database a subclass provides (H2 or PostgreSQL).
 */
abstract class TaskApiContract {

    static final String ADMIN_KEY = "admin-key-for-the-api-tests";
    static final String READ_KEY = "read-key-for-the-api-tests";
    static final String SUBMIT_KEY = "submit-key-for-the-api-tests";

    private static ConfigurableApplicationContext api;
    private static ConfigurableApplicationContext worker;
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final JsonMapper json = JsonMapper.builder().build();
    private static String base;

    static void start(RabbitEndpoint rabbit, Map<String, String> datasource) {
        var arguments = TestApps.brokerArguments(rabbit);
        var apiArguments = TestApps.apiArguments(rabbit, datasource);
        apiArguments.add("--celeriac.topology.queues.default.kind=quorum");
        apiArguments.add("--celeriac.topology.queues.tiny.kind=priority"); // a classic queue: exact max-length
        apiArguments.add("--celeriac.topology.queues.tiny.max-length=1");
        apiArguments.add("--celeriac.topology.queues.parked.kind=quorum"); // no worker takes its tasks
        apiArguments.add("--celeriac.producer.confirm-timeout=2s");
        apiArguments.add("--celeriac.api.keys=" + ADMIN_KEY + ":admin," + READ_KEY + ":read," + SUBMIT_KEY + ":submit");
        apiArguments.add("--celeriac.worker.enabled=false");
        // Short enough that a test sees the outbox relay and the revocation announcer at work.
        apiArguments.add("--celeriac.api.outbox-grace=3s");
        apiArguments.add("--celeriac.api.outbox-interval=1s");
        apiArguments.add("--celeriac.api.revocation-horizon=8s");
        // Only a wake-up from this API's recorder, never a re-read, can answer a wait within seconds.
        apiArguments.add("--celeriac.api.wait-recheck=30s");
        api = new SpringApplicationBuilder(CeleriacApiApplication.class).run(apiArguments.toArray(String[]::new));
        base = "http://127.0.0.1:" + api.getEnvironment().getProperty("local.server.port");
        worker = TestApps.demoWorker(arguments);
        // Tasks are accepted once a worker has registered them: wait for the worker's first event.
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() ->
                        get("/api/v1/workers").body().get("workers").toString().contains("demo.add"));
    }

    @AfterAll
    static void stop() throws Exception {
        TestApps.close(worker, api);
    }

    record Reply(int status, JsonNode body, HttpResponse<String> raw) {}

    static Reply post(String body) throws Exception {
        var response = http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/tasks"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + ADMIN_KEY)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), json.readTree(response.body()), response);
    }

    static Reply send(HttpRequest.Builder request) throws Exception {
        if (request.build().headers().firstValue("Authorization").isEmpty()) {
            request.header("Authorization", "Bearer " + ADMIN_KEY);
        }
        var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(
                response.statusCode(), response.body().isEmpty() ? null : json.readTree(response.body()), response);
    }

    static Reply postWithKey(String key, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + "/api/v1/tasks"))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    static Reply delete(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    static Reply get(String path) throws Exception {
        var response = http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Authorization", "Bearer " + ADMIN_KEY)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), json.readTree(response.body()), response);
    }

    static JsonNode submitAndWait(String body) throws Exception {
        Reply accepted = post(body);
        assertThat(accepted.status()).as(accepted.body().toString()).isEqualTo(202);
        String location = accepted.raw().headers().firstValue("Location").orElseThrow();
        return get(location + "?wait=30").body();
    }

    @Test
    void acceptsATaskAsPendingAndReportsItsResult() throws Exception {
        Reply accepted = post("{\"task\": \"demo.add\", \"args\": [2, 3]}");

        assertThat(accepted.status()).isEqualTo(202);
        String id = accepted.body().get("id").asString();
        assertThat(accepted.raw().headers().firstValue("Location")).hasValue("/api/v1/tasks/" + id);
        // The answer is the record as the submit stored it, before any worker could report on it.
        assertThat(accepted.body().get("state").asString()).isEqualTo("PENDING");
        assertThat(accepted.body().get("retries").asInt()).isZero();
        assertThat(accepted.body().get("startedAt").isNull()).isTrue();
        assertThat(Instant.parse(accepted.body().get("submittedAt").asString()))
                .isBetween(Instant.now().minusSeconds(30), Instant.now());

        JsonNode done = get("/api/v1/tasks/" + id + "?wait=30").body();
        assertThat(done.get("state").asString()).isEqualTo("SUCCESS");
        assertThat(done.get("result").asInt()).isEqualTo(5);
        assertThat(done.get("args")).isEqualTo(json.readTree("[2,3]"));
        assertThat(done.get("worker").asString()).startsWith("celeriac-");
        assertThat(Instant.parse(done.get("finishedAt").asString()))
                .isAfterOrEqualTo(Instant.parse(done.get("startedAt").asString()));
    }

    @Test
    void startsNoSpanWhileTracesAreOff() throws Exception {
        // Off by default: Spring Boot's tracer is left out, so no request starts a span, sampled or not.
        assertThat(api.getBeansOfType(TracingObservationHandler.class)).isEmpty();
        assertThat(api.getBeansOfType(SdkTracerProvider.class)).isEmpty();
        assertThat(post("{\"task\": \"demo.add\", \"args\": [1, 1]}").status()).isEqualTo(202);
    }

    @Test
    void reportsAFlakyTaskSucceededAfterTwoRetries() throws Exception {
        JsonNode done = submitAndWait("{\"task\": \"demo.flaky\", \"args\": [2]}");
        assertThat(done.get("state").asString()).isEqualTo("SUCCESS");
        assertThat(done.get("retries").asInt()).isEqualTo(2);
        assertThat(done.get("result").asInt()).isEqualTo(3);
    }

    @Test
    void reportsAFailureWithItsError() throws Exception {
        JsonNode done = submitAndWait("{\"task\": \"demo.fail\", \"args\": [\"boom\"]}");
        assertThat(done.get("state").asString()).isEqualTo("FAILURE");
        assertThat(done.get("error").get("type").asString()).isEqualTo("NonRetryableException");
        assertThat(done.get("error").get("message").asString()).isEqualTo("boom");
        assertThat(done.get("error").get("traceback").asString()).contains("NonRetryableException: boom");
    }

    @Test
    void startsACountdownTaskNoEarlierThanTheCountdown() throws Exception {
        JsonNode done = submitAndWait("{\"task\": \"demo.add\", \"args\": [1, 1], \"countdown\": 3}");
        assertThat(done.get("state").asString()).isEqualTo("SUCCESS");
        Duration waited = Duration.between(
                Instant.parse(done.get("submittedAt").asString()),
                Instant.parse(done.get("startedAt").asString()));
        assertThat(waited).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void answersAWaitAsSoonAsTheTaskFinishes() throws Exception {
        Reply accepted = post("{\"task\": \"demo.sleep\", \"args\": [500]}");
        JsonNode done = get(accepted.raw().headers().firstValue("Location").orElseThrow() + "?wait=30")
                .body();
        Instant answered = Instant.now();
        assertThat(done.get("state").asString()).isEqualTo("SUCCESS");
        // This API re-reads the ledger only every 30 s: an answer within seconds of the end came from the recorder's
        // wake-up, as soon as the end was committed.
        assertThat(Duration.between(Instant.parse(done.get("finishedAt").asString()), answered))
                .isLessThan(Duration.ofSeconds(5));
        assertThat(Duration.between(
                        Instant.parse(done.get("startedAt").asString()),
                        Instant.parse(done.get("finishedAt").asString())))
                .isGreaterThanOrEqualTo(Duration.ofMillis(500));
    }

    @Test
    void answersAnUnknownIdWith404NotPending() throws Exception {
        Reply reply = get("/api/v1/tasks/never-seen");
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.raw().headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(reply.body().get("type").asString()).isEqualTo("https://celeriac.dev/problems/task-not-found");
        assertThat(reply.body().get("detail").asString()).isEqualTo("no task has the id 'never-seen'");
    }

    @Test
    void answersBadRequestsWithProblemDetails() throws Exception {
        Reply notJson = post("{\"task\": ");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.body().get("type").asString()).isEqualTo("https://celeriac.dev/problems/bad-request");
        assertThat(notJson.body().get("detail").asString()).startsWith("the body is not valid JSON");

        Reply noTask = post("{\"args\": [1]}");
        assertThat(noTask.status()).isEqualTo(400);
        assertThat(noTask.body().get("detail").asString()).startsWith("'task' is required");

        Reply badName = post("{\"task\": \"demo.*\"}");
        assertThat(badName.status()).isEqualTo(422);
        assertThat(badName.body().get("type").asString()).isEqualTo("https://celeriac.dev/problems/invalid-task");

        Reply badQueue = post("{\"task\": \"demo.add\", \"queue\": \"amq.direct\"}");
        assertThat(badQueue.status()).isEqualTo(422);
        assertThat(badQueue.body().get("detail").asString()).contains("'amq.'");

        Reply badPriority = post("{\"task\": \"demo.add\", \"priority\": 12}");
        assertThat(badPriority.status()).isEqualTo(422);
        assertThat(badPriority.body().get("detail").asString()).isEqualTo("priority must be 0 to 9, was 12");
    }

    @Test
    void answersAPathTheFirewallRefusesWith400NotAnAnonymousErrorPage() throws Exception {
        for (String path : List.of("/api/v1/tasks/1%3B%20DROP%20TABLE%20tasks", "/api/v1/tasks/a%2F..%2Fb")) {
            Reply refused = get(path);
            assertThat(refused.status()).as(path).isEqualTo(400);
            assertThat(refused.raw().headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(refused.body().get("type").asString()).isEqualTo("https://celeriac.dev/problems/bad-request");
            assertThat(refused.body().get("detail").asString()).startsWith("the request was refused");
        }
    }

    @Test
    void answersSpringsOwnRefusalsAsProblemsNotAsTheLastResort() throws Exception {
        Reply wrongMethod = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/tasks"))
                .PUT(HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json"));
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.raw().headers().firstValue("Allow"))
                .hasValueSatisfying(allow -> assertThat(allow).contains("POST"));
        assertThat(wrongMethod.raw().headers().firstValue("Content-Type")).hasValue("application/problem+json");

        Reply badNumber = get("/api/v1/tasks?limit=many");
        assertThat(badNumber.status()).isEqualTo(400);
        assertThat(badNumber.raw().headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(badNumber.body().get("title").asString()).isNotEqualTo("Internal error");
    }

    @Test
    void refusesATaskForAQueueThatDoesNotExistAndKeepsNoTraceOfIt() throws Exception {
        String key = "nowhere-" + UUID.randomUUID();
        Reply reply = postWithKey(key, "{\"task\": \"demo.add\", \"args\": [1, 2], \"queue\": \"nowhere\"}");
        assertThat(reply.status()).isEqualTo(422);
        assertThat(reply.body().get("type").asString()).isEqualTo("https://celeriac.dev/problems/unknown-queue");

        // No task, no message waiting in the outbox, and the key free for another request.
        assertThat(get("/api/v1/tasks?queue=nowhere").body().get("tasks")).isEmpty();
        assertThat(outboxSize()).isZero();
        Reply again = postWithKey(key, "{\"task\": \"demo.add\", \"args\": [2, 2]}");
        assertThat(again.status()).isEqualTo(202);
        assertThat(get("/api/v1/tasks/" + again.body().get("id").asString() + "?wait=30")
                        .body()
                        .get("result")
                        .asInt())
                .isEqualTo(4);
    }

    /** Messages in the API's outbox now. */
    static int outboxSize() {
        return api.getBean(JdbcTemplate.class).queryForObject("SELECT COUNT(*) FROM task_outbox", Integer.class);
    }

    /**
     * Leaves a task as an API that stopped right after committing it leaves it: recorded PENDING, its message in the
     * outbox since {@code age} ago, never published; with its idempotency key claimed when {@code key} is given.
     */
    static String leaveUnpublished(String body, String key, Duration age) throws Exception {
        var publisher = api.getBean(TaskPublisher.class);
        var tasks = api.getBean(TaskStore.class);
        var outbox = api.getBean(OutboxStore.class);
        var keys = api.getBean(IdempotencyStore.class);
        var transactions = api.getBean(TransactionTemplate.class);
        JsonNode request = json.readTree(body);
        String id = UUID.randomUUID().toString();
        var prepared = publisher.prepare(new TaskRequest(
                request.get("task").asString(),
                json.convertValue(request.path("args"), List.class),
                Map.of(),
                SubmitOptions.defaults().withTaskId(id)));
        Instant then = Instant.now().minus(age);
        String hash = key == null ? null : hashOf(body);
        transactions.executeWithoutResult(status -> {
            tasks.write(List.of(TaskProjection.submitted(
                    id,
                    new TaskChange.Description(
                            prepared.message().task(),
                            "default",
                            request.path("args").toString(),
                            "{}",
                            null,
                            id,
                            null,
                            null),
                    then)));
            outbox.add(List.of(new OutboxStore.Entry(
                    id, prepared.message().task(), "celeriac.tasks", "default", 0, prepared.encoded(), then)));
            if (key != null) {
                keys.claim(List.of(new IdempotencyStore.Claim(key, hash, id)), then);
            }
        });
        return id;
    }

    /** The hash the API keeps of a request with an idempotency key. */
    private static String hashOf(String body) throws Exception {
        var request = api.getBean(JsonMapper.class).readValue(body, SubmitRequest.class);
        byte[] digest = MessageDigest.getInstance("SHA-256")
                .digest(api.getBean(JsonMapper.class).writeValueAsBytes(request));
        return HexFormat.of().formatHex(digest);
    }

    @Test
    void publishesATaskThatAnApiLeftUnpublishedSoItDoesNotStayPendingForever() throws Exception {
        String id = leaveUnpublished("{\"task\": \"demo.add\", \"args\": [3, 4]}", null, Duration.ofMinutes(1));
        assertThat(get("/api/v1/tasks/" + id).body().get("state").asString()).isEqualTo("PENDING");

        JsonNode done = get("/api/v1/tasks/" + id + "?wait=30").body();

        assertThat(done.get("state").asString()).isEqualTo("SUCCESS");
        assertThat(done.get("result").asInt()).isEqualTo(7);
        assertThat(outboxSize()).isZero();
    }

    @Test
    void answersARetryOfAnUnpublishedSubmitOnlyOnceItsTaskIsPublished() throws Exception {
        String key = "lost-" + UUID.randomUUID();
        String body = "{\"task\": \"demo.add\", \"args\": [5, 6]}";
        // Younger than the relay's grace: only the retry itself can publish it in time.
        String id = leaveUnpublished(body, key, Duration.ofSeconds(4));

        Reply retried = postWithKey(key, body);

        assertThat(retried.status()).isEqualTo(202);
        assertThat(retried.body().get("id").asString()).isEqualTo(id);
        assertThat(get("/api/v1/tasks/" + id + "?wait=30").body().get("result").asInt())
                .isEqualTo(11);
    }

    @Test
    void refusesArgumentsAWorkerWouldRefuseAndKeysGivenTwice() throws Exception {
        String deep = "[".repeat(63) + "]".repeat(63);
        Reply tooDeep = post("{\"task\": \"demo.echo\", \"kwargs\": {\"x\": " + deep + "}}");
        assertThat(tooDeep.status()).isEqualTo(400);
        assertThat(tooDeep.body().get("detail").asString()).contains("nesting depth");

        Reply huge = post("{\"task\": \"demo.echo\", \"args\": [1e400]}");
        assertThat(huge.status()).isEqualTo(422);
        assertThat(huge.body().get("detail").asString()).startsWith("args[0] is Infinity");

        Reply twice = post("{\"task\": \"demo.add\", \"task\": \"demo.fail\"}");
        assertThat(twice.status()).isEqualTo(400);
        assertThat(twice.body().get("detail").asString()).contains("Duplicate Object property \"task\"");

        // The deepest a worker takes (64 levels in its message body, as in this request's body): accepted and run.
        Reply fine = post("{\"task\": \"demo.echo\", \"kwargs\": {\"x\": " + "[".repeat(62) + "]".repeat(62) + "}}");
        assertThat(fine.status()).isEqualTo(202);
        assertThat(get("/api/v1/tasks/" + fine.body().get("id").asString() + "?wait=30")
                        .body()
                        .get("state")
                        .asString())
                .isEqualTo("SUCCESS");
    }

    @Test
    void announcesARevocationAgainWhileItsTaskCanStillArrive() throws Exception {
        // On a queue no worker takes from, the task can still arrive for as long as the test runs.
        Reply accepted = post("{\"task\": \"demo.add\", \"args\": [1, 1], \"queue\": \"parked\"}");
        String id = accepted.body().get("id").asString();
        assertThat(delete("/api/v1/tasks/" + id).status()).isEqualTo(202);
        var revocations = worker.getBean(Revocations.class);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> revocations.isRevoked(id));
        Instant first = revocations.all().get(id).until();
        assertThat(first).isBetween(Instant.now().plusSeconds(4), Instant.now().plusSeconds(9));

        // A quarter of the 8 s horizon later it is announced again, and workers hold it for longer.
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> revocations.all().get(id).until().isAfter(first));
        assertThat(get("/api/v1/tasks/" + id).body().get("state").asString()).isEqualTo("PENDING");
    }

    @Test
    void revokesACountdownTaskWhichThenNeverRuns() throws Exception {
        Reply accepted = post("{\"task\": \"demo.add\", \"args\": [1, 1], \"countdown\": 3}");
        String location = accepted.raw().headers().firstValue("Location").orElseThrow();

        Reply revoked = delete(location);

        assertThat(revoked.status()).isEqualTo(202);
        JsonNode done = get(location + "?wait=30").body();
        assertThat(done.get("state").asString()).isEqualTo("REVOKED");
        assertThat(done.get("startedAt").isNull()).isTrue();
        assertThat(done.get("result").isNull()).isTrue();
    }

    @Test
    void refusesToRevokeAFinishedOrUnknownTask() throws Exception {
        JsonNode done = submitAndWait("{\"task\": \"demo.add\", \"args\": [1, 2]}");
        Reply finished = delete("/api/v1/tasks/" + done.get("id").asString());
        assertThat(finished.status()).isEqualTo(409);
        assertThat(finished.body().get("type").asString()).isEqualTo("https://celeriac.dev/problems/task-finished");
        assertThat(delete("/api/v1/tasks/no-such-task").status()).isEqualTo(404);
    }

    @Test
    void returnsTheSameTaskForARepeatedIdempotencyKeyAndRunsItOnce() throws Exception {
        String key = "order-" + UUID.randomUUID();
        String body = "{\"task\": \"demo.add\", \"args\": [20, 22]}";
        Reply first = postWithKey(key, body);
        Reply second = postWithKey(key, body);

        assertThat(first.status()).isEqualTo(202);
        assertThat(second.status()).isEqualTo(202);
        String id = first.body().get("id").asString();
        assertThat(second.body().get("id").asString()).isEqualTo(id);
        JsonNode done = get("/api/v1/tasks/" + id + "?wait=30").body();
        assertThat(done.get("result").asInt()).isEqualTo(42);
        JsonNode listed = get("/api/v1/tasks?task=demo.add&limit=500").body();
        long sameArgs = StreamSupport.stream(listed.get("tasks").spliterator(), false)
                .filter(t -> t.get("args").equals(json.readTree("[20,22]")))
                .count();
        assertThat(sameArgs).as("tasks created for the key").isEqualTo(1);

        Reply reused = postWithKey(key, "{\"task\": \"demo.add\", \"args\": [1, 1]}");
        assertThat(reused.status()).isEqualTo(409);
        assertThat(reused.body().get("type").asString())
                .isEqualTo("https://celeriac.dev/problems/idempotency-key-reused");
    }

    @Test
    void answersEveryConcurrentRetryOfAKeyWithTheOneTask() throws Exception {
        String key = "burst-" + UUID.randomUUID();
        String body = "{\"task\": \"demo.add\", \"args\": [30, 12]}";
        // Several rounds at once: some requests share a batch with the first, others come in later batches.
        var answers = new ArrayList<Future<Reply>>();
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 40; i++) {
                answers.add(clients.submit(() -> postWithKey(key, body)));
            }
        }
        var ids = new HashSet<String>();
        for (var answer : answers) {
            Reply reply = answer.get();
            assertThat(reply.status()).as(String.valueOf(reply.body())).isEqualTo(202);
            ids.add(reply.body().get("id").asString());
        }
        assertThat(ids).hasSize(1);
        assertThat(get("/api/v1/tasks/" + ids.iterator().next() + "?wait=30")
                        .body()
                        .get("result")
                        .asInt())
                .isEqualTo(42);
    }

    @Test
    void refusesABodyOverTheLimitWith413() throws Exception {
        String big = "{\"task\": \"demo.echo\", \"kwargs\": {\"x\": \"" + "y".repeat(2 * 1024 * 1024) + "\"}}";
        Reply reply = post(big);
        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.body().get("type").asString()).isEqualTo("https://celeriac.dev/problems/body-too-large");

        // Chunked, without a declared length: stopped while it is read.
        byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
        Reply chunked = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/tasks"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArrays(List.of(
                        Arrays.copyOfRange(bytes, 0, bytes.length / 2),
                        Arrays.copyOfRange(bytes, bytes.length / 2, bytes.length)))));
        assertThat(chunked.status()).isEqualTo(413);
    }

    @Test
    void listsTasksNewestFirstPageByPage() throws Exception {
        String marker = "page-" + UUID.randomUUID().toString().substring(0, 8);
        var ids = new ArrayList<String>();
        for (int i = 0; i < 5; i++) {
            ids.add(post("{\"task\": \"demo.echo\", \"kwargs\": {\"m\": \"" + marker + i + "\"}}")
                    .body()
                    .get("id")
                    .asString());
        }
        var seen = new ArrayList<String>();
        String cursor = null;
        do {
            JsonNode page = get("/api/v1/tasks?task=demo.echo&limit=2" + (cursor == null ? "" : "&cursor=" + cursor))
                    .body();
            page.get("tasks").forEach(t -> seen.add(t.get("id").asString()));
            cursor = page.get("nextCursor").isNull()
                    ? null
                    : page.get("nextCursor").asString();
        } while (cursor != null);
        assertThat(seen).doesNotHaveDuplicates();
        Collections.reverse(ids);
        assertThat(seen).containsSubsequence(ids);
        assertThat(get("/api/v1/tasks?state=NOPE").status()).isEqualTo(400);
        assertThat(get("/api/v1/tasks?cursor=garbage!").status()).isEqualTo(400);
    }

    @Test
    void listsAFailedTaskInDeadLettersReplaysItAndShowsTheReplayInItsHistory() throws Exception {
        JsonNode failed = submitAndWait("{\"task\": \"demo.fail\", \"args\": [\"replay me\"]}");
        String id = failed.get("id").asString();
        assertThat(failed.get("state").asString()).isEqualTo("FAILURE");

        JsonNode letter = deadLetterOf(id);
        assertThat(letter.get("reason").asString()).isEqualTo("not-retryable");
        assertThat(letter.get("exception").asString()).isEqualTo("dev.celeriac.worker.NonRetryableException");
        assertThat(letter.get("message").asString()).isEqualTo("replay me");
        assertThat(letter.get("attempts").asInt()).isEqualTo(1);
        assertThat(letter.get("replay").asInt()).isZero();

        Reply replayed = send(HttpRequest.newBuilder(URI.create(
                        base + "/api/v1/dead-letters/" + letter.get("id").asLong() + "/replay"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(replayed.status()).isEqualTo(202);
        assertThat(replayed.body().get("id").asString()).isEqualTo(id);

        // It runs again (and fails again, as demo.fail does), visible in the ledger and back in dead letters.
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode again = get("/api/v1/tasks/" + id).body();
            return again.get("state").asString().equals("FAILURE")
                    && !again.get("finishedAt").isNull();
        });
        JsonNode again = get("/api/v1/dead-letters?queue=default").body().get("deadLetters");
        assertThat(StreamSupport.stream(again.spliterator(), false)
                        .filter(l -> id.equals(l.get("taskId").asString()))
                        .count())
                .isEqualTo(1);
        JsonNode next = StreamSupport.stream(again.spliterator(), false)
                .filter(l -> id.equals(l.get("taskId").asString()))
                .findFirst()
                .orElseThrow();
        assertThat(next.get("replay").asInt()).isEqualTo(1);

        // The history: the first run, the replay's reset, then the replayed run, each change once and in order.
        JsonNode history = get("/api/v1/tasks/" + id + "/history").body().get("history");
        var changes = new ArrayList<String>();
        history.forEach(change -> changes.add(
                change.get("state").asString() + "@" + change.get("replay").asInt()));
        assertThat(changes)
                .containsExactly(
                        "PENDING@0",
                        "RECEIVED@0",
                        "STARTED@0",
                        "FAILURE@0",
                        "PENDING@1",
                        "RECEIVED@1",
                        "STARTED@1",
                        "FAILURE@1");
        assertThat(history.get(4).get("detail").asString())
                .isEqualTo("replayed from dead letter " + letter.get("id").asLong());
        assertThat(delete("/api/v1/dead-letters/" + next.get("id").asLong()).status())
                .isEqualTo(204);
        assertThat(delete("/api/v1/dead-letters/" + next.get("id").asLong()).status())
                .isEqualTo(404);
    }

    @Test
    void keepsOneDeadLetterOfATaskThatAWorkerDeadLetteredTwice() throws Exception {
        String id = submitAndWait("{\"task\": \"demo.fail\", \"args\": [\"once\"]}")
                .get("id")
                .asString();
        var stored = api.getBean(DeadLetterStore.class)
                .find(deadLetterOf(id).get("id").asLong())
                .orElseThrow();

        // What a worker that died between publishing the dead letter and acking the task sends when it gets the task
        // again: the same letter a second time.
        var properties = new MessageProperties();
        properties.setCorrelationId(id);
        properties.setContentType(stored.properties().contentType());
        properties.setContentEncoding(stored.properties().contentEncoding());
        stored.headers().forEach(properties::setHeader);
        new RabbitTemplate(api.getBean(ConnectionFactory.class))
                .send("", TopologyNames.deadLetterQueue("default"), new Message(stored.body(), properties));
        // Dead letters of a queue are collected in order: once a later one is listed, the copy was handled.
        deadLetterOf(submitAndWait("{\"task\": \"demo.fail\", \"args\": [\"after the copy\"]}")
                .get("id")
                .asString());

        assertThat(StreamSupport.stream(
                                get("/api/v1/dead-letters?queue=default&limit=1000")
                                        .body()
                                        .get("deadLetters")
                                        .spliterator(),
                                false)
                        .filter(l -> id.equals(l.get("taskId").asString())))
                .hasSize(1);
    }

    /** The dead letter of a task, once the API has collected it. */
    private static JsonNode deadLetterOf(String id) {
        return Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> {
                            for (JsonNode candidate : get("/api/v1/dead-letters?queue=default&limit=1000")
                                    .body()
                                    .get("deadLetters")) {
                                if (id.equals(candidate.get("taskId").asString())) {
                                    return candidate;
                                }
                            }
                            return null;
                        },
                        Objects::nonNull);
    }

    static int status(String method, String path, String key) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json");
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        request.method(
                method,
                method.equals("POST")
                        ? HttpRequest.BodyPublishers.ofString("{\"task\": \"demo.add\", \"args\": [1, 2]}")
                        : HttpRequest.BodyPublishers.noBody());
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void asksForAKeyAndGrantsEachRoleOnlyItsOwnOperations() throws Exception {
        JsonNode done = submitAndWait("{\"task\": \"demo.add\", \"args\": [1, 2]}");
        String task = "/api/v1/tasks/" + done.get("id").asString();

        assertThat(status("GET", task, null)).isEqualTo(401);
        assertThat(status("GET", task, "not-a-key-of-this-api-at-all")).isEqualTo(401);
        assertThat(status("POST", "/api/v1/tasks", null)).isEqualTo(401);
        assertThat(status("GET", "/actuator/health", null)).isEqualTo(200);
        assertThat(status("GET", "/actuator/prometheus", null)).isEqualTo(200);

        assertThat(status("GET", task, READ_KEY)).isEqualTo(200);
        assertThat(status("GET", "/api/v1/tasks", READ_KEY)).isEqualTo(200);
        assertThat(status("POST", "/api/v1/tasks", READ_KEY)).isEqualTo(403);
        assertThat(status("DELETE", task, READ_KEY)).isEqualTo(403);

        assertThat(status("POST", "/api/v1/tasks", SUBMIT_KEY)).isEqualTo(202);
        assertThat(status("GET", task, SUBMIT_KEY)).isEqualTo(200);
        assertThat(status("DELETE", task, SUBMIT_KEY)).isEqualTo(403);
        assertThat(status("POST", "/api/v1/dead-letters/1/replay", SUBMIT_KEY)).isEqualTo(403);

        assertThat(status("DELETE", task, ADMIN_KEY)).isEqualTo(409); // allowed, but the task has finished

        var unauthorized = http.send(
                HttpRequest.newBuilder(URI.create(base + task)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unauthorized.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(json.readTree(unauthorized.body()).get("type").asString())
                .isEqualTo("https://celeriac.dev/problems/unauthorized");
    }

    @Test
    void rejectsATaskNameNoWorkerRegistered() throws Exception {
        Reply reply = post("{\"task\": \"demo.nobody\"}");
        assertThat(reply.status()).isEqualTo(422);
        assertThat(reply.body().get("type").asString()).isEqualTo("https://celeriac.dev/problems/unknown-task");
    }

    static Reply put(String path, String body, String key) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + key)
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    /**
     * {@code PUT /api/v1/workers/rate-limits/{task}} sends Celery's {@code rate_limit} to the workers and shows what
     * each answered: the worker's limit changes at once, and {@code 0} lifts it again.
     */
    @Test
    void changesATaskTypesRateLimitOnTheWorkersAndShowsEachWorkersAnswer() throws Exception {
        var limiter = worker.getBean(RateLimiter.class);
        String path = "/api/v1/workers/rate-limits/demo.echo";

        Reply set = put(path, "{\"rateLimit\": \"30/m\"}", ADMIN_KEY);
        assertThat(set.status()).as(set.raw().body()).isEqualTo(200);
        assertThat(set.body().get("replies").properties()).singleElement().satisfies(reply -> {
            assertThat(reply.getKey()).startsWith("celeriac-");
            assertThat(reply.getValue().get("ok").asString()).isEqualTo("new rate limit set successfully");
        });
        assertThat(limiter.limits()).containsEntry("demo.echo", RateLimit.parse("0.5/s"));

        Reply lifted = put(path, "{\"rateLimit\": \"0\"}", ADMIN_KEY);
        assertThat(lifted.body().toString()).contains("rate limit disabled successfully");
        assertThat(limiter.limits()).doesNotContainKey("demo.echo");

        Reply unknown = put("/api/v1/workers/rate-limits/demo.nope", "{\"rateLimit\": \"1/s\"}", ADMIN_KEY);
        assertThat(unknown.status()).isEqualTo(200);
        assertThat(unknown.body().toString()).contains("unknown task demo.nope");

        Reply bad = put(path, "{\"rateLimit\": \"fast\"}", ADMIN_KEY);
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.body().get("type").asString()).endsWith("/invalid-rate-limit");
        assertThat(bad.body().get("detail").asString()).contains("'fast' is no rate limit");
        assertThat(put(path, "{}", ADMIN_KEY).status()).isEqualTo(400);
        Reply nobody = put(path, "{\"rateLimit\": \"1/s\", \"workers\": [\"nobody@nowhere\"]}", ADMIN_KEY);
        assertThat(nobody.status()).isEqualTo(504);
        assertThat(nobody.body().get("detail").asString()).contains("nobody@nowhere");
        assertThat(put(path, "{\"rateLimit\": \"1/s\"}", SUBMIT_KEY).status()).isEqualTo(403);
        assertThat(put(path, "{\"rateLimit\": \"1/s\"}", READ_KEY).status()).isEqualTo(403);
        assertThat(limiter.limits()).doesNotContainKey("demo.echo");
    }

    @Test
    void showsTheWorkerWithItsPoolAndTasksAndTheQueueWithItsConsumer() throws Exception {
        JsonNode workers = get("/api/v1/workers").body().get("workers");
        JsonNode demo = StreamSupport.stream(workers.spliterator(), false)
                .filter(w -> w.get("worker").get("registered").toString().contains("demo.add"))
                .findFirst()
                .orElseThrow();
        assertThat(demo.get("alive").asBoolean()).isTrue();
        assertThat(demo.get("worker").get("queues").toString()).contains("default");
        assertThat(demo.get("worker").get("pool").asString()).isEqualTo("platform");
        assertThat(demo.get("worker").get("software").asString()).isEqualTo("celeriac");

        JsonNode queues = get("/api/v1/queues").body().get("queues");
        JsonNode queue = queues.get(0);
        assertThat(queue.get("name").asString()).isEqualTo("default");
        assertThat(queue.get("consumers").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(queue.get("workers").asInt()).isEqualTo(1);
    }

    @Test
    void countsDeadLettersAwaitingActionPerQueueOverRestAndInPrometheus() throws Exception {
        long before = deadLettersOfDefault();
        JsonNode failed = submitAndWait("{\"task\": \"demo.fail\", \"args\": [\"count me\"]}");
        assertThat(failed.get("state").asString()).isEqualTo("FAILURE");

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> deadLettersOfDefault() == before + 1);
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() ->
                        scrape().contains("celeriac_queue_dead_letters{queue=\"default\"} " + (before + 1) + ".0"));
        assertThat(scrape())
                .contains("celeriac_queue_workers{queue=\"default\"} 1.0")
                .contains("celeriac_workers_up 1.0");
    }

    private static long deadLettersOfDefault() throws Exception {
        for (JsonNode queue : get("/api/v1/queues").body().get("queues")) {
            if (queue.get("name").asString().equals("default")) {
                return queue.get("deadLetters").asLong();
            }
        }
        throw new AssertionError("no queue default in /api/v1/queues");
    }

    private static String scrape() throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus"))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    @Test
    void submitsABatchTogetherOrNothingOfAnInvalidOne() throws Exception {
        Reply batch = send(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/tasks/batch"))
                        .header("Content-Type", "application/json")
                        .POST(
                                HttpRequest.BodyPublishers.ofString(
                                        "{\"tasks\": [{\"task\": \"demo.add\", \"args\": [1, 1]},"
                                                + " {\"task\": \"demo.add\", \"args\": [2, 2]}, {\"task\": \"demo.add\", \"args\": [3, 3]}]}")));
        assertThat(batch.status()).isEqualTo(202);
        var results = new ArrayList<Integer>();
        for (JsonNode task : batch.body().get("tasks")) {
            results.add(get("/api/v1/tasks/" + task.get("id").asString() + "?wait=30")
                    .body()
                    .get("result")
                    .asInt());
        }
        assertThat(results).containsExactly(2, 4, 6);

        Reply invalid = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/tasks/batch"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"tasks\": [{\"task\": \"demo.add\", \"args\": [5, 5]}, {\"task\": \"bad name\"}]}")));
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.body().get("detail").asString()).startsWith("tasks[1]: ");
        JsonNode listed = get("/api/v1/tasks?task=demo.add&limit=500").body().get("tasks");
        assertThat(StreamSupport.stream(listed.spliterator(), false)
                        .noneMatch(t -> t.get("args").equals(json.readTree("[5,5]"))))
                .as("nothing of an invalid batch was recorded")
                .isTrue();
    }

    @Test
    void knowsATaskSentByAnotherProducerAsPendingBeforeAnyWorkerTakesIt() throws Exception {
        var producer = worker.getBean(TaskClient.class);
        var handle = producer.submit(
                "demo.add", List.of(7, 8), Map.of(), SubmitOptions.defaults().withCountdown(Duration.ofSeconds(20)));

        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> get("/api/v1/tasks/" + handle.id()).status() == 200);
        JsonNode task = get("/api/v1/tasks/" + handle.id()).body();
        assertThat(task.get("state").asString()).isEqualTo("PENDING");
        assertThat(task.get("task").asString()).isEqualTo("demo.add");
        assertThat(task.get("queue").asString()).isEqualTo("default");
        assertThat(task.get("startedAt").isNull()).isTrue();
    }

    @Test
    void servesItsOpenApiDescriptionAndSwaggerUi() throws Exception {
        var document = http.send(
                HttpRequest.newBuilder(URI.create(base + "/v3/api-docs")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(document.statusCode()).isEqualTo(200);
        JsonNode paths = json.readTree(document.body()).get("paths");
        assertThat(paths.has("/api/v1/tasks")).isTrue();
        assertThat(paths.has("/api/v1/tasks/{id}")).isTrue();
        assertThat(paths.has("/api/v1/dead-letters/{id}/replay")).isTrue();
        var ui = http.send(
                HttpRequest.newBuilder(URI.create(base + "/swagger-ui/index.html"))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ui.statusCode()).isEqualTo(200);
        assertThat(ui.body()).contains("Swagger UI");
    }

    @Test
    void exposesQueueAndRecorderMetricsToPrometheusWithoutAKey() throws Exception {
        submitAndWait("{\"task\": \"demo.add\", \"args\": [3, 4]}");
        var scrape = http.send(
                HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus"))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body())
                .contains("celeriac_queue_depth{queue=\"default\"}")
                .contains("celeriac_queue_consumers{queue=\"default\"}")
                .contains("celeriac_queue_dead_letters{queue=\"default\"}")
                .contains("celeriac_recorder_backlog")
                .contains("celeriac_recorder_lag_seconds")
                .contains("celeriac_tasks_submitted_total{outcome=\"accepted\",queue=\"default\",task=\"demo.add\"}");
        var recorded = Pattern.compile("celeriac_recorder_events_total\\{kind=\"task\"\\} ([0-9.E]+)")
                .matcher(scrape.body());
        assertThat(recorded.find()).isTrue();
        assertThat(Double.parseDouble(recorded.group(1))).isGreaterThanOrEqualTo(3);
    }

    @Test
    void answers429WithRetryAfterWhenTheQueueIsFullAndKeepsNoTraceOfTheRefusedTask() throws Exception {
        assertThat(post("{\"task\": \"demo.add\", \"args\": [1, 1], \"queue\": \"tiny\"}")
                        .status())
                .isEqualTo(202);

        Reply refused = post("{\"task\": \"demo.add\", \"args\": [2, 2], \"queue\": \"tiny\"}");

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.raw().headers().firstValue("Retry-After")).hasValue("5");
        assertThat(refused.body().get("type").asString()).isEqualTo("https://celeriac.dev/problems/queue-full");
        JsonNode queued = get("/api/v1/tasks?queue=tiny").body().get("tasks");
        assertThat(queued).hasSize(1);
        assertThat(queued.get(0).get("args")).isEqualTo(json.readTree("[1,1]"));
    }
}
