package dev.celeriac.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.api.internal.ledger.TestLedgers;
import dev.celeriac.producer.SubmitOptions;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskHandle;
import dev.celeriac.producer.Workflow;
import dev.celeriac.producer.WorkflowHandle;
import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import dev.celeriac.testsupport.celery.CeleryPython;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Java → Python: the Java client sends tasks that a stock Celery 5 worker runs (configured only by the documented
 * {@code celeriacconfig} module), and the ledger follows each task through the events that worker sends.
 */
class PythonWorkerInteropIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    @TempDir
    static Path work;

    private static final String KEY = "admin-key-for-the-interop-tests";
    private static final String NODE = "python@interop";
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final JsonMapper json = JsonMapper.builder().build();

    private static ConfigurableApplicationContext api;
    private static String base;
    private static Process worker;
    private static Path workerLog;

    @BeforeAll
    static void start() throws Exception {
        var arguments = new ArrayList<String>();
        rabbit.endpoint().springProperties().forEach((k, v) -> arguments.add("--" + k + "=" + v));
        arguments.add("--server.port=0");
        arguments.add("--celeriac.worker.enabled=false");
        arguments.add("--celeriac.api.keys=" + KEY + ":admin");
        arguments.add("--spring.datasource.url=" + TestLedgers.h2Url());
        api = new SpringApplicationBuilder(CeleriacApiApplication.class).run(arguments.toArray(String[]::new));
        base = "http://127.0.0.1:" + api.getEnvironment().getProperty("local.server.port");

        CeleryPython python = CeleryPython.in(work, rabbit.endpoint(), Path.of("src/test/celery/python_worker.py"));
        workerLog = work.resolve("python-worker.log");
        worker = python.start(
                workerLog,
                "-m",
                "celery",
                "-A",
                "python_worker",
                "worker",
                "-E",
                "-Q",
                "default",
                "-n",
                NODE,
                "--pool=prefork", // Celery 5.2's threads pool holds task events back (see docs/celery-interop.md)
                "--concurrency=2",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO");
        await().atMost(Duration.ofSeconds(60))
                .until(() ->
                        Files.exists(workerLog) && Files.readString(workerLog).contains(NODE + " ready."));
    }

    @AfterAll
    static void stop() {
        CeleryPython.stop(worker);
        if (api != null) {
            api.close();
        }
    }

    private static TaskClient client() {
        return api.getBean(TaskClient.class);
    }

    private static JsonNode get(String path) throws Exception {
        HttpResponse<String> response = send(path);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private static HttpResponse<String> send(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Authorization", "Bearer " + KEY)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Waits until the task is in the state; a task the ledger does not know yet (a later step, say) is waited for. */
    private static JsonNode awaitState(String id, String state) throws Exception {
        try {
            await().atMost(WAIT).until(() -> {
                HttpResponse<String> response = send("/api/v1/tasks/" + id);
                return response.statusCode() == 200
                        && state.equals(
                                json.readTree(response.body()).get("state").asString());
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("task " + id + " did not reach " + state + ": " + get("/api/v1/tasks/" + id)
                    + "\nhistory: " + get("/api/v1/tasks/" + id + "/history") + "\nworker log:\n"
                    + Files.readString(workerLog));
        }
        return get("/api/v1/tasks/" + id);
    }

    private static List<String> historyStates(String id) throws Exception {
        JsonNode history = get("/api/v1/tasks/" + id + "/history");
        JsonNode entries = history.isArray() ? history : history.get("history");
        return StreamSupport.stream(entries.spliterator(), false)
                .map(entry -> entry.get("state").asString())
                .toList();
    }

    @Test
    void aTaskFromTheJavaClientRunsOnThePythonWorkerAndTheLedgerShowsItsResult() throws Exception {
        TaskHandle handle = client().submit("py.add", 2, 3);

        JsonNode task = awaitState(handle.id(), "SUCCESS");

        assertThat(task.get("result").asInt()).isEqualTo(5);
        assertThat(task.get("worker").asString()).isEqualTo(NODE);
        assertThat(task.get("task").asString()).isEqualTo("py.add");
        assertThat(task.get("startedAt").isNull()).isFalse();
        assertThat(task.get("finishedAt").isNull()).isFalse();
        assertThat(historyStates(handle.id())).containsSubsequence("RECEIVED", "STARTED", "SUCCESS");
        assertThat(Files.readString(workerLog)).contains("Task py.add[" + handle.id() + "] succeeded");
    }

    @Test
    void keywordArgumentsReachThePythonFunction() throws Exception {
        TaskHandle handle = client().submit(
                        "py.greet",
                        List.of(),
                        Map.of("name", "celeriac", "punctuation", "?"),
                        SubmitOptions.defaults());

        JsonNode task = awaitState(handle.id(), "SUCCESS");

        // Celery's event carries the result's repr: a dict shows as Python wrote it.
        assertThat(task.get("result").asString()).isEqualTo("{'greeting': 'hello celeriac?'}");
    }

    @Test
    void celerysOwnRetriesShowInTheLedgerUntilTheResult() throws Exception {
        TaskHandle handle = client().submit("py.flaky", 2);

        JsonNode task = awaitState(handle.id(), "SUCCESS");

        assertThat(task.get("result").asInt()).isEqualTo(2);
        assertThat(task.get("retries").asInt()).isEqualTo(2);
        List<String> states = historyStates(handle.id());
        assertThat(states.stream().filter("RETRY"::equals).count()).isEqualTo(2);
        assertThat(states.getLast()).isEqualTo("SUCCESS");
    }

    @Test
    void aPythonFailureIsRecordedWithItsExceptionAndTraceback() throws Exception {
        TaskHandle handle = client().submit("py.fail", "no stock");

        JsonNode task = awaitState(handle.id(), "FAILURE");

        assertThat(task.at("/error/type").asString()).isEqualTo("ValueError");
        assertThat(task.at("/error/message").asString()).isEqualTo("no stock");
        assertThat(task.at("/error/traceback").asString())
                .contains("Traceback (most recent call last)")
                .contains("ValueError: no stock");
    }

    @Test
    void aCountdownFromJavaIsHonouredByThePythonWorker() throws Exception {
        long sent = System.nanoTime();
        TaskHandle handle = client().submit(
                        "py.add",
                        List.of(1, 1),
                        Map.of(),
                        SubmitOptions.defaults().withCountdown(Duration.ofSeconds(2)));

        JsonNode task = awaitState(handle.id(), "SUCCESS");

        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(task.get("result").asInt()).isEqualTo(2);
        assertThat(task.get("eta").isNull()).isFalse();
    }

    @Test
    void aRevokeThroughTheApiReachesThePythonWorkerHoldingTheTask() throws Exception {
        TaskHandle handle = client().submit(
                        "py.add",
                        List.of(4, 4),
                        Map.of(),
                        SubmitOptions.defaults().withCountdown(Duration.ofSeconds(6)));
        awaitState(handle.id(), "RECEIVED"); // the Python worker holds it until its ETA

        HttpResponse<String> revoked = http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/tasks/" + handle.id()))
                        .header("Authorization", "Bearer " + KEY)
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(202);

        JsonNode task = awaitState(handle.id(), "REVOKED");
        assertThat(task.get("result").isNull()).isTrue();
        assertThat(Files.readString(workerLog))
                .contains(handle.id())
                .doesNotContain("py.add[" + handle.id() + "] succeeded");
    }

    @Test
    void aChainAndAGroupFromTheJavaClientAreContinuedByThePythonWorker() throws Exception {
        WorkflowHandle handle = client().submit(Workflow.chain(
                Workflow.task("py.add", 2, 3),
                Workflow.task("py.add", 10),
                Workflow.group(Workflow.task("py.add", 1), Workflow.task("py.add", 2))));

        assertThat(awaitState(handle.taskIds().get(1), "SUCCESS").get("result").asInt())
                .isEqualTo(15);
        JsonNode first = awaitState(handle.resultIds().get(0), "SUCCESS");
        JsonNode second = awaitState(handle.resultIds().get(1), "SUCCESS");
        assertThat(List.of(first.get("result").asInt(), second.get("result").asInt()))
                .containsExactly(16, 17);
        assertThat(first.get("parentId").asString()).isEqualTo(handle.taskIds().get(1));
        assertThat(first.get("rootId").asString()).isEqualTo(handle.rootId());
    }

    @Test
    void anErrorCallbackFromTheJavaClientIsRunByThePythonWorkerWithTheFailedTasksId() throws Exception {
        WorkflowHandle handle = client().submit(Workflow.chain(
                Workflow.task("py.fail", "sold out").linkError(Workflow.task("py.echo")), Workflow.task("py.add", 1)));

        awaitState(handle.rootId(), "FAILURE");
        JsonNode errback = awaitState(handle.taskIds().get(1), "SUCCESS");

        // Celery's event carries the result's repr: a string shows quoted as Python wrote it.
        assertThat(errback.get("result").asString()).isEqualTo("'" + handle.rootId() + "'");
        assertThat(errback.get("parentId").asString()).isEqualTo(handle.rootId());
        HttpResponse<String> never = http.send(
                HttpRequest.newBuilder(URI.create(
                                base + "/api/v1/tasks/" + handle.taskIds().get(2)))
                        .header("Authorization", "Bearer " + KEY)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(never.statusCode()).isEqualTo(404);
    }
}
