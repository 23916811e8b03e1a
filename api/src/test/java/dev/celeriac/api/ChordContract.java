package dev.celeriac.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.producer.SubmitOptions;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.producer.Workflow;
import dev.celeriac.producer.WorkflowHandle;
import dev.celeriac.producer.WorkflowResults;
import dev.celeriac.testsupport.broker.RabbitEndpoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Chords, end to end: the Java client defines a chord in the ledger and sends its header tasks, a real worker runs
 * them, and the API's recorder counts the join and starts the body once, on the ledger a subclass provides.
 */
abstract class ChordContract {

    private static final String KEY = "admin-key-for-the-chord-tests";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final JsonMapper json = JsonMapper.builder().build();

    private static ConfigurableApplicationContext api;
    private static ConfigurableApplicationContext worker;
    private static String base;

    static void start(RabbitEndpoint rabbit, Map<String, String> datasource) {
        var arguments = TestApps.brokerArguments(rabbit);
        var apiArguments = TestApps.apiArguments(rabbit, datasource);
        apiArguments.add("--celeriac.api.keys=" + KEY + ":admin");
        apiArguments.add("--celeriac.worker.enabled=false");
        api = new SpringApplicationBuilder(CeleriacApiApplication.class).run(apiArguments.toArray(String[]::new));
        base = "http://127.0.0.1:" + api.getEnvironment().getProperty("local.server.port");
        arguments.add("--celeriac.worker.queues.default.concurrency=8");
        worker = TestApps.demoWorker(arguments);
    }

    @AfterAll
    static void stop() throws Exception {
        TestApps.close(worker, api);
    }

    private static TaskClient client() {
        return api.getBean(TaskClient.class);
    }

    private static JsonNode get(String path) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Authorization", "Bearer " + KEY)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? json.readTree(response.body()) : null;
    }

    private static JsonNode awaitState(String id, String state) throws Exception {
        try {
            await().atMost(WAIT).until(() -> {
                JsonNode task = get("/api/v1/tasks/" + id);
                return task != null && state.equals(task.get("state").asString());
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("task " + id + " did not reach " + state + ": " + get("/api/v1/tasks/" + id));
        }
        return get("/api/v1/tasks/" + id);
    }

    private static List<String> history(String id) throws Exception {
        JsonNode history = get("/api/v1/tasks/" + id + "/history");
        JsonNode entries = history.isArray() ? history : history.get("history");
        return StreamSupport.stream(entries.spliterator(), false)
                .map(entry -> entry.get("state").asString())
                .toList();
    }

    private static int fired(String chordId) {
        return api.getBean(JdbcTemplate.class)
                .queryForObject(
                        "SELECT COUNT(*) FROM chords WHERE id = ? AND fired_at IS NOT NULL", Integer.class, chordId);
    }

    private static Workflow.Group adds(int n) {
        return Workflow.group(IntStream.range(0, n)
                .<Workflow>mapToObj(i -> Workflow.task("demo.add", i, i))
                .toList());
    }

    @Test
    void theBodyRunsOnceWithEveryHeaderResultInTheHeadersOrder() throws Exception {
        WorkflowHandle handle = client().submit(Workflow.chord(adds(50), Workflow.task("demo.sum")));
        String body = handle.resultIds().getFirst();

        JsonNode done = awaitState(body, "SUCCESS");

        assertThat(done.get("result").asLong())
                .isEqualTo(2 * IntStream.range(0, 50).sum());
        assertThat(done.get("args").get(0)).hasSize(50);
        assertThat(done.get("args").get(0).get(49).asInt()).isEqualTo(98);
        assertThat(done.get("rootId").asString()).isEqualTo(handle.rootId());
        assertThat(handle.started()).hasSize(50);
        assertThat(history(body).stream().filter("STARTED"::equals).count()).isEqualTo(1);
    }

    @Test
    void theWorkflowShowsEveryTasksStateItsChordsJoinAndPagesItsTasks() throws Exception {
        WorkflowHandle handle = client().submit(Workflow.chord(adds(30), Workflow.task("demo.sum")));
        awaitState(handle.resultIds().getFirst(), "SUCCESS");

        JsonNode workflow = get("/api/v1/workflows/" + handle.rootId() + "?limit=20");

        assertThat(workflow.at("/states/SUCCESS").asLong()).isEqualTo(31);
        assertThat(workflow.get("finished").asBoolean()).isTrue();
        assertThat(workflow.get("chords")).singleElement().satisfies(chord -> {
            assertThat(chord.get("parts").asInt()).isEqualTo(30);
            assertThat(chord.get("outcome").asString()).isEqualTo("STARTED");
        });
        assertThat(workflow.get("tasks")).hasSize(20);
        JsonNode rest = get("/api/v1/workflows/" + handle.rootId() + "?limit=20&cursor="
                + workflow.get("nextCursor").asString());
        assertThat(rest.get("tasks")).hasSize(11);
        assertThat(rest.get("nextCursor").isNull()).isTrue();
        var ids = new HashSet<String>();
        workflow.get("tasks").forEach(t -> ids.add(t.get("id").asString()));
        rest.get("tasks").forEach(t -> ids.add(t.get("id").asString()));
        assertThat(ids).containsExactlyInAnyOrderElementsOf(handle.taskIds());
        HttpResponse<String> unknown = http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/workflows/no-such-workflow"))
                        .header("Authorization", "Bearer " + KEY)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json.readTree(unknown.body()).get("type").asString()).endsWith("workflow-not-found");
    }

    @Test
    void aHeaderTaskThatRunsAgainAfterTheJoinNeverStartsTheBodyAgain() throws Exception {
        WorkflowHandle handle = client().submit(Workflow.chord(adds(3), Workflow.task("demo.sum")));
        String header = handle.taskIds().getFirst();
        String body = handle.resultIds().getFirst();
        awaitState(body, "SUCCESS");

        // The same header task once more, as a redelivery after a worker died before its ack would send it.
        client().submit(new TaskRequest(
                "demo.add", List.of(0, 0), Map.of(), SubmitOptions.defaults().withTaskId(header)));
        await().atMost(WAIT)
                .until(() -> history(header).stream().filter("STARTED"::equals).count() == 2);
        // Its second result is recorded the way the first was: through the same recorder, past the same join.
        awaitState(client().submit("demo.add", 1, 1).id(), "SUCCESS");

        assertThat(history(body).stream().filter("STARTED"::equals).count()).isEqualTo(1);
        assertThat(fired(chordOf(handle))).isEqualTo(1);
    }

    private static String chordOf(WorkflowHandle handle) {
        return api.getBean(JdbcTemplate.class)
                .queryForObject(
                        "SELECT chord_id FROM chord_parts WHERE task_id = ?",
                        String.class,
                        handle.taskIds().getFirst());
    }

    @Test
    void aFailedHeaderTaskFailsTheBodyAtOnceAndRunsItsErrorCallback() throws Exception {
        WorkflowHandle handle = client().submit(Workflow.chord(
                Workflow.group(Workflow.task("demo.sleep", 5_000), Workflow.task("demo.fail", "out of stock")),
                Workflow.task("demo.sum").linkError(Workflow.task("demo.log"))));
        String failed = handle.taskIds().get(1);
        String body = handle.taskIds().get(2);
        String errback = handle.taskIds().get(3);

        JsonNode bodyTask = awaitState(body, "FAILURE");
        JsonNode logged = awaitState(errback, "SUCCESS");

        assertThat(bodyTask.at("/error/type").asString()).isEqualTo("ChordError");
        assertThat(bodyTask.at("/error/message").asString())
                .contains("header task " + failed)
                .contains("out of stock");
        assertThat(logged.get("result").asString()).isEqualTo(body);
        // Fail fast: the body failed while a header task still ran.
        assertThat(get("/api/v1/tasks/" + handle.taskIds().getFirst())
                        .get("state")
                        .asString())
                .isNotEqualTo("SUCCESS");
    }

    @Test
    void aChordWaitingForAllGivesTheBodyEveryResultAndEachFailureInItsPlace() throws Exception {
        WorkflowHandle handle = client().submit(Workflow.chord(
                        Workflow.group(
                                Workflow.task("demo.add", 1, 1),
                                Workflow.task("demo.fail", "no"),
                                Workflow.task("demo.add", 2, 2)),
                        Workflow.task("demo.tally"))
                .waitingForAll());

        JsonNode done = awaitState(handle.resultIds().getFirst(), "SUCCESS");

        assertThat(done.get("result").toString()).contains("\"succeeded\":2").contains("\"failed\":1");
        assertThat(done.get("args").get(0).get(1).get("failed").asString())
                .isEqualTo(handle.taskIds().get(1));
    }

    @Test
    void aClientGetsAChunkedFanOutsReducedResultPushedBackOnceTheBodyHasRun() throws Exception {
        var inputs = IntStream.range(0, 1_000).mapToObj(i -> List.of(i, i)).toList();

        WorkflowResults run = client().submitForResults(
                        Workflow.chord(Workflow.chunks("demo.add", inputs, 100), Workflow.task("demo.sum")));

        assertThat(run.handle().started()).hasSize(10);
        WorkflowResults.Result total = run.all().get(60, TimeUnit.SECONDS).getFirst();
        assertThat(total.value().asLong())
                .isEqualTo(2L * IntStream.range(0, 1_000).sum());
    }

    @Test
    void aChordAfterAStepIsDefinedByTheWorkerThatFinishedItAndAChordInABodyByTheLedger() throws Exception {
        // 2, then each header member given 2: 12 and 22, summed: 34, then + 100.
        WorkflowHandle chained = client().submit(Workflow.chain(
                Workflow.task("demo.add", 1, 1),
                Workflow.chord(
                        Workflow.group(Workflow.task("demo.add", 10), Workflow.task("demo.add", 20)),
                        Workflow.task("demo.sum")),
                Workflow.task("demo.add", 100)));
        // Header 2 and 4; the body is a chord whose members get [2, 4] (summed: 6) or keep their own (10): 16.
        WorkflowHandle nested = client().submit(Workflow.chord(
                Workflow.group(Workflow.task("demo.add", 1, 1), Workflow.task("demo.add", 2, 2)),
                Workflow.chord(
                        Workflow.group(
                                Workflow.task("demo.sum"),
                                Workflow.task("demo.add", 5, 5).withoutResult()),
                        Workflow.task("demo.sum"))));

        assertThat(chained.started()).hasSize(1);
        assertThat(awaitState(chained.resultIds().getFirst(), "SUCCESS")
                        .get("result")
                        .asLong())
                .isEqualTo(134);
        assertThat(awaitState(nested.resultIds().getFirst(), "SUCCESS")
                        .get("result")
                        .asLong())
                .isEqualTo(16);
        assertThat(get("/api/v1/workflows/" + chained.rootId()).get("chords")).hasSize(1);
        JsonNode workflow = get("/api/v1/workflows/" + nested.rootId());
        assertThat(workflow.get("chords")).hasSize(2);
        assertThat(workflow.get("chords").findValuesAsString("outcome")).containsOnly("STARTED");
        assertThat(workflow.at("/states/SUCCESS").asLong()).isEqualTo(5);
    }

    @Test
    void anEmptyHeaderStartsTheBodyAtOnceAndAChordCanBeFollowedByMoreSteps() throws Exception {
        WorkflowHandle empty = client().submit(Workflow.chord(Workflow.group(), Workflow.task("demo.sum")));
        WorkflowHandle chained = client().submit(Workflow.chain(
                Workflow.chord(adds(4), Workflow.task("demo.sum")), Workflow.task("demo.add", 100)));

        assertThat(awaitState(empty.resultIds().getFirst(), "SUCCESS")
                        .get("result")
                        .asLong())
                .isZero();
        assertThat(awaitState(chained.resultIds().getFirst(), "SUCCESS")
                        .get("result")
                        .asLong())
                .isEqualTo(112);
    }

    private static HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void restWorkflowsRunAChordOfChunksAndAChainAndSayWhereToFindThem() throws Exception {
        var items = new StringBuilder();
        for (int i = 0; i < 1_000; i++) {
            items.append(i == 0 ? "" : ",")
                    .append("[")
                    .append(i)
                    .append(",")
                    .append(i)
                    .append("]");
        }
        HttpResponse<String> chord = post("/api/v1/workflows", """
                {"chord": {"chunks": "demo.add", "items": [%s], "size": 100}, "body": {"task": "demo.sum"}}""".formatted(items));
        HttpResponse<String> chain = post("/api/v1/workflows", """
                {"chain": [{"task": "demo.add", "args": [2, 2]}, {"task": "demo.add", "args": [10]},
                           {"group": [{"task": "demo.add", "args": [1]},
                                      {"task": "demo.add", "args": [5, 5], "immutable": true}]}]}""");

        assertThat(chord.statusCode()).as(chord.body()).isEqualTo(202);
        JsonNode accepted = json.readTree(chord.body());
        assertThat(chord.headers().firstValue("Location"))
                .hasValue("/api/v1/workflows/" + accepted.get("id").asString());
        assertThat(accepted.get("taskIds")).hasSize(11);
        String body = accepted.get("resultIds").get(0).asString();
        assertThat(awaitState(body, "SUCCESS").get("result").asLong())
                .isEqualTo(2L * IntStream.range(0, 1_000).sum());
        await().atMost(WAIT)
                .until(() -> get("/api/v1/workflows/" + accepted.get("id").asString())
                        .get("finished")
                        .asBoolean());

        assertThat(chain.statusCode()).as(chain.body()).isEqualTo(202);
        JsonNode results = json.readTree(chain.body()).get("resultIds");
        assertThat(results).hasSize(2);
        assertThat(awaitState(results.get(0).asString(), "SUCCESS")
                        .get("result")
                        .asLong())
                .isEqualTo(15);
        assertThat(awaitState(results.get(1).asString(), "SUCCESS")
                        .get("result")
                        .asLong())
                .isEqualTo(10);
    }

    @Test
    void restWorkflowsRefuseWhatCannotRunSayingWhere() throws Exception {
        var refusals = new LinkedHashMap<String, String>();
        for (String bad : List.of(
                "[1, 2]",
                "{\"chain\": [{\"task\": \"demo.add\", \"args\": [1, 1]}, {\"grop\": []}]}",
                "{\"group\": [{\"task\": \"demo.add\", \"args\": [1, 1]}, {\"task\": \"no.such.task\"}]}",
                "{\"chord\": [{\"task\": \"demo.add\", \"args\": [1, 1]}]}",
                "{\"chord\": [], \"body\": {\"task\": \"demo.sum\"}, \"policy\": \"sometimes\"}",
                "{\"chunks\": \"demo.add\", \"items\": [[1, 1]], \"size\": 0}",
                "{\"task\": \"demo.add\", \"args\": 3}",
                "{\"task\": \"demo.add\", \"retries\": 3}")) {
            HttpResponse<String> response = post("/api/v1/workflows", bad);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            refusals.put(
                    bad,
                    response.statusCode() + " "
                            + json.readTree(response.body()).get("detail").asString());
        }
        HttpResponse<String> keyed =
                post("/api/v1/workflows", "{\"task\": \"demo.add\", \"args\": [1, 1]}", "Idempotency-Key", "k1");

        assertThat(refusals.values())
                .satisfiesExactly(
                        r -> assertThat(r).startsWith("400 the body must be a JSON object"),
                        r -> assertThat(r).startsWith("422 chain[1]: names no kind"),
                        r -> assertThat(r)
                                .startsWith("422 group[1]: no worker has registered a task named 'no.such.task'"),
                        r -> assertThat(r).startsWith("422 chord: needs a 'body'"),
                        r -> assertThat(r).startsWith("422 chord.policy: must be 'fail-fast' or 'wait-for-all'"),
                        r -> assertThat(r).startsWith("422 chunks.size: must be a whole number"),
                        r -> assertThat(r).startsWith("422 task.args: must be a list"),
                        r -> assertThat(r).startsWith("422 task: has an unknown field 'retries'"));
        assertThat(keyed.statusCode()).isEqualTo(400);
    }
}
