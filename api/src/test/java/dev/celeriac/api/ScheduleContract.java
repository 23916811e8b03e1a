package dev.celeriac.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.api.schedules.Scheduler;
import dev.celeriac.api.workers.WorkerRegistry;
import dev.celeriac.testsupport.broker.RabbitEndpoint;
import dev.celeriac.worker.CeleriacSchedule;
import dev.celeriac.worker.CeleriacTask;
import dev.celeriac.worker.demo.DemoTasks;
import dev.celeriac.worker.demo.FaultTasks;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Schedules, end to end on the ledger a subclass provides: two API instances run the scheduler against one database
 * (as a fleet does, with no leader), a real worker runs what they fire, and each slot fires once.
 */
abstract class ScheduleContract {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({DemoTasks.class, FaultTasks.class, ScheduledTasks.class})
    static class DemoWorker {}

    /** A task whose schedule its worker declares. */
    public static class ScheduledTasks {

        @CeleriacTask(name = "test.double")
        @CeleriacSchedule(id = WORKER_DECLARED, every = "1s", args = "[21]", missed = "skip")
        public long twice(long value) {
            return 2 * value;
        }
    }

    private static final String WORKER_DECLARED = "worker-declared";

    private static final String KEY = "admin-key-for-the-schedule-tests";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final JsonMapper json = JsonMapper.builder().build();
    private static final String CONFIGURED = "configured-every-second";

    private static final List<ConfigurableApplicationContext> apis = new ArrayList<>();
    private static ConfigurableApplicationContext worker;
    private static List<String> bases = new ArrayList<>();

    @TempDir
    Path gates;

    static void start(RabbitEndpoint rabbit, Map<String, String> datasource) {
        var arguments = TestApps.brokerArguments(rabbit);
        var apiArguments = TestApps.apiArguments(rabbit, datasource);
        apiArguments.add("--celeriac.api.keys=" + KEY + ":admin");
        apiArguments.add("--celeriac.worker.enabled=false");
        apiArguments.add("--celeriac.api.scheduler-poll=200ms");
        apiArguments.add("--celeriac.schedules." + CONFIGURED + ".every=1s");
        apiArguments.add("--celeriac.schedules." + CONFIGURED + ".task=demo.add");
        apiArguments.add("--celeriac.schedules." + CONFIGURED + ".args=[20, 22]");
        apiArguments.add("--celeriac.schedules." + CONFIGURED + ".paused=true");
        for (int i = 0; i < 2; i++) {
            var api =
                    new SpringApplicationBuilder(CeleriacApiApplication.class).run(apiArguments.toArray(String[]::new));
            apis.add(api);
            bases.add("http://127.0.0.1:" + api.getEnvironment().getProperty("local.server.port"));
        }
        arguments.add("--celeriac.worker.queues.default.concurrency=8");
        arguments.add("--celeriac.demo.fault-tasks=true");
        worker = TestApps.worker(DemoWorker.class, arguments);
        // Schedules over REST name tasks a worker registered: both instances must have heard of the worker first.
        await().atMost(WAIT)
                .until(() -> apis.stream()
                        .allMatch(api -> api.getBean(WorkerRegistry.class).isRegistered("demo.hold")));
    }

    @AfterAll
    static void stop() throws Exception {
        TestApps.close(worker);
        apis.forEach(ConfigurableApplicationContext::close);
        apis.clear();
        bases.clear();
    }

    // --- the kinds of schedule ---

    @Test
    void anIntervalFiresEverySlotOnceThoughTwoSchedulersTryEach() throws Exception {
        String id = "every-second-" + shortId();
        String marker = UUID.randomUUID().toString();
        assertThat(send("POST", "/api/v1/schedules", """
                        {"id": "%s", "every": 1, "task": "demo.echo", "kwargs": {"marker": "%s"}, "missed": "run-each"}""".formatted(id, marker)).statusCode())
                .isEqualTo(201);

        await().atMost(WAIT).until(() -> fires(id).size() >= 6);
        send("POST", "/api/v1/schedules/" + id + "/pause", "");
        List<JsonNode> fires = fires(id);

        // One fire a second, none left out (late ones too: run-each), each its own task, and no task but the fired
        // ones.
        var slots = fires.stream()
                .map(f -> Instant.parse(f.get("slot").asString()))
                .sorted()
                .toList();
        for (int i = 1; i < slots.size(); i++) {
            assertThat(Duration.between(slots.get(i - 1), slots.get(i))).isEqualTo(Duration.ofSeconds(1));
        }
        assertThat(fires)
                .allSatisfy(f -> assertThat(f.get("outcome").asString()).isEqualTo("fired"));
        var taskIds = fires.stream().map(f -> f.get("taskId").asString()).toList();
        assertThat(new HashSet<>(taskIds)).hasSameSizeAs(taskIds);
        assertThat(ledgerCount("SELECT COUNT(*) FROM tasks WHERE kwargs LIKE ?", "%" + marker + "%"))
                .isEqualTo(fires.size());
        await().atMost(WAIT).until(() -> fires(id).stream().allMatch(f -> "SUCCESS".equals(text(f, "state"))));
        JsonNode task = get("/api/v1/tasks/" + taskIds.getFirst());
        assertThat(task.get("result").get("marker").asString()).isEqualTo(marker);
        // Both instances fired some, or one fired all: together exactly one per slot.
        assertThat(firedByInstances(id)).isEqualTo(fires.size());
    }

    @Test
    void aCronScheduleFiresOnTheSecondsItNamesInItsZone() throws Exception {
        String id = "cron-" + shortId();
        JsonNode created = json(send("POST", "/api/v1/schedules", """
                {"id": "%s", "cron": "*/2 * * * * *", "zone": "Asia/Kolkata", "task": "demo.add", "args": [1, 2]}""".formatted(id)));
        assertThat(created.get("zone").asString()).isEqualTo("Asia/Kolkata");
        assertThat(Instant.parse(created.get("nextFireAt").asString()).getEpochSecond() % 2)
                .isZero();

        await().atMost(WAIT).until(() -> fires(id).size() >= 3);
        send("POST", "/api/v1/schedules/" + id + "/pause", "");

        assertThat(fires(id))
                .allSatisfy(f -> assertThat(
                                Instant.parse(f.get("slot").asString()).getEpochSecond() % 2)
                        .isZero());
        await().atMost(WAIT).until(() -> fires(id).stream().allMatch(f -> "SUCCESS".equals(text(f, "state"))));
        assertThat(get("/api/v1/tasks/" + fires(id).getFirst().get("taskId").asString())
                        .get("result")
                        .asLong())
                .isEqualTo(3);
    }

    @Test
    void aOneOffFiresOnceAndThenHasNoNextFire() throws Exception {
        String id = "once-" + shortId();
        Instant at = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
        send("POST", "/api/v1/schedules", """
                {"id": "%s", "at": "%s", "task": "demo.add", "args": [4, 5]}""".formatted(id, at));

        await().atMost(WAIT).until(() -> fires(id).size() == 1);
        await().atMost(WAIT)
                .until(() -> get("/api/v1/schedules/" + id).get("nextFireAt").isNull());
        JsonNode fire = fires(id).getFirst();

        assertThat(Instant.parse(fire.get("slot").asString())).isEqualTo(at);
        assertThat(get("/api/v1/schedules/" + id).get("lastTaskId").asString())
                .isEqualTo(fire.get("taskId").asString());
        // Resuming a finished one-off does not fire it again: its slot is claimed.
        send("POST", "/api/v1/schedules/" + id + "/pause", "");
        send("POST", "/api/v1/schedules/" + id + "/resume", "");
        Thread.sleep(1_000);
        assertThat(fires(id)).hasSize(1);
    }

    @Test
    void aScheduleFromConfigurationIsStoredAndFires() throws Exception {
        JsonNode configured = get("/api/v1/schedules/" + CONFIGURED);
        assertThat(configured.get("origin").asString()).isEqualTo("configuration");
        assertThat(configured.get("every").asString()).isEqualTo("PT1S");
        assertThat(configured.get("paused").asBoolean()).isTrue();

        send("POST", "/api/v1/schedules/" + CONFIGURED + "/resume", "");
        await().atMost(WAIT).until(() -> fires(CONFIGURED).size() >= 2);
        send("POST", "/api/v1/schedules/" + CONFIGURED + "/pause", "");

        String task = fires(CONFIGURED).getFirst().get("taskId").asString();
        await().atMost(WAIT).until(() -> "SUCCESS".equals(text(get("/api/v1/tasks/" + task), "state")));
        assertThat(get("/api/v1/tasks/" + task).get("result").asLong()).isEqualTo(42);
    }

    @Test
    void aScheduleAWorkerDeclaresIsStoredAndFires() throws Exception {
        await().atMost(WAIT).until(() -> get("/api/v1/schedules/" + WORKER_DECLARED) != null);
        JsonNode declared = get("/api/v1/schedules/" + WORKER_DECLARED);
        assertThat(declared.get("origin").asString()).isEqualTo("worker");
        assertThat(declared.get("task").asString()).isEqualTo("test.double");
        assertThat(declared.get("every").asString()).isEqualTo("PT1S");
        assertThat(declared.get("missed").asString()).isEqualTo("skip");

        await().atMost(WAIT).until(() -> fires(WORKER_DECLARED).size() >= 2);
        send("POST", "/api/v1/schedules/" + WORKER_DECLARED + "/pause", "");

        String task = fires(WORKER_DECLARED).getLast().get("taskId").asString();
        await().atMost(WAIT).until(() -> "SUCCESS".equals(text(get("/api/v1/tasks/" + task), "state")));
        assertThat(get("/api/v1/tasks/" + task).get("result").asLong()).isEqualTo(42);
    }

    // --- missed slots: an outage of every scheduler, made by moving a paused schedule's cursor back ---

    @Test
    void afterAnOutageRunOnceFiresOnlyTheLatestSlot() throws Exception {
        String id = outage("run-once", null);

        await().atMost(WAIT).until(() -> fires(id).size() == 1);

        assertThat(slotsAgo(id)).containsExactly(Duration.ofMinutes(5));
        assertThat(missedByInstances(id)).isEqualTo(5);
    }

    @Test
    void afterAnOutageRunEachFiresEverySlotOldestFirst() throws Exception {
        String id = outage("run-each", null);

        await().atMost(WAIT).until(() -> fires(id).size() == 6);

        assertThat(slotsAgo(id))
                .containsExactly(
                        Duration.ofMinutes(5),
                        Duration.ofMinutes(15),
                        Duration.ofMinutes(25),
                        Duration.ofMinutes(35),
                        Duration.ofMinutes(45),
                        Duration.ofMinutes(55));
    }

    @Test
    void afterAnOutageSkipFiresNothingLateAndAStartingDeadlineBoundsRunEach() throws Exception {
        String skipping = outage("skip", null);
        String bounded = outage("run-each", "20m");

        await().atMost(WAIT).until(() -> fires(bounded).size() == 2);
        await().atMost(WAIT).until(() -> missedByInstances(skipping) == 6);

        assertThat(fires(skipping)).isEmpty();
        assertThat(slotsAgo(bounded)).containsExactly(Duration.ofMinutes(5), Duration.ofMinutes(15));
        assertThat(missedByInstances(bounded)).isEqualTo(4);
        // Its cursor is past the outage: the next slot is the one to come.
        assertThat(Instant.parse(
                        get("/api/v1/schedules/" + skipping).get("nextFireAt").asString()))
                .isAfter(Instant.now());
    }

    /**
     * A schedule every 10 minutes whose six slots from 55 to 5 minutes ago passed while no scheduler ran: it is
     * defined paused, its cursor moved back to the first of them, and it is let go.
     */
    private String outage(String missed, String startingDeadline) throws Exception {
        String id = "outage-" + missed + "-" + shortId();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant first = now.minus(Duration.ofMinutes(55));
        var response = send("POST", "/api/v1/schedules", """
                {"id": "%s", "every": "10m", "start": "%s", "task": "demo.add", "args": [1, 1], "missed": "%s",
                 "startingDeadline": %s, "paused": true}""".formatted(
                        id, first, missed, startingDeadline == null ? "null" : "\"" + startingDeadline + "\""));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        outageStart.put(id, now);
        jdbc().update("UPDATE schedules SET next_slot = ?, paused = FALSE WHERE id = ?", Timestamp.from(first), id);
        apis.forEach(api -> api.getBean(Scheduler.class).wake());
        return id;
    }

    private final Map<String, Instant> outageStart = new ConcurrentHashMap<>();

    /** How long before the outage's end each fired slot was, oldest last. */
    private List<Duration> slotsAgo(String id) throws Exception {
        Instant now = outageStart.get(id);
        return fires(id).stream()
                .map(f -> Duration.between(Instant.parse(f.get("slot").asString()), now))
                .toList();
    }

    // --- overlapping runs ---

    @Test
    void overlapSkipSkipsSlotsWhileThePreviousRunHoldsThenFiresAgain() throws Exception {
        String id = "overlap-skip-" + shortId();
        Path gate = gates.resolve("gate");
        send("POST", "/api/v1/schedules", """
                {"id": "%s", "every": 1, "task": "demo.hold", "args": ["%s", 7], "overlap": "skip"}""".formatted(id, gate));

        await().atMost(WAIT)
                .until(() -> outcomes(id).stream().filter("skipped"::equals).count() >= 3);
        Files.createFile(gate);
        await().atMost(WAIT)
                .until(() -> outcomes(id).stream().filter("fired"::equals).count() >= 2);
        send("POST", "/api/v1/schedules/" + id + "/pause", "");

        List<String> outcomes = outcomes(id).reversed(); // oldest first
        assertThat(outcomes.getFirst()).isEqualTo("fired");
        assertThat(outcomes.subList(1, 4)).containsOnly("skipped");
        // While the first run held, nothing else fired.
        int second = outcomes.subList(1, outcomes.size()).indexOf("fired") + 1;
        assertThat(outcomes.subList(1, second)).containsOnly("skipped");
        assertThat(ledgerCount("SELECT COUNT(*) FROM schedule_fires WHERE schedule_id = ? AND task_id IS NULL", id))
                .isEqualTo(outcomes.stream().filter("skipped"::equals).count());
    }

    @Test
    void overlapReplaceRevokesTheRunThatHasNotFinished() throws Exception {
        String id = "overlap-replace-" + shortId();
        Path gate = gates.resolve("never-opened");
        send("POST", "/api/v1/schedules", """
                {"id": "%s", "every": 2, "task": "demo.hold", "args": ["%s", 7], "overlap": "replace"}""".formatted(id, gate));

        await().atMost(WAIT).until(() -> fires(id).size() >= 3);
        send("POST", "/api/v1/schedules/" + id + "/pause", "");
        List<JsonNode> fires = fires(id).reversed(); // oldest first

        // Every run but the last was revoked by the slot after it; the last still holds.
        for (JsonNode replaced : fires.subList(0, fires.size() - 1)) {
            String task = replaced.get("taskId").asString();
            await().atMost(WAIT).until(() -> "REVOKED".equals(text(get("/api/v1/tasks/" + task), "state")));
        }
        String last = fires.getLast().get("taskId").asString();
        send("DELETE", "/api/v1/tasks/" + last + "?terminate=true", "");
        await().atMost(WAIT).until(() -> "REVOKED".equals(text(get("/api/v1/tasks/" + last), "state")));
    }

    // --- the REST API ---

    @Test
    void schedulesAreListedPausedResumedTriggeredReplacedAndDeleted() throws Exception {
        String id = "crud-" + shortId();
        String body = """
                {"id": "%s", "cron": "0 0 3 * * *", "zone": "Europe/Berlin", "task": "demo.add", "args": [2, 3]}""".formatted(id);
        HttpResponse<String> created = send("POST", "/api/v1/schedules", body);
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("Location")).contains("/api/v1/schedules/" + id);
        assertThat(send("POST", "/api/v1/schedules", body).statusCode()).isEqualTo(409);

        JsonNode listed = StreamSupport.stream(
                        get("/api/v1/schedules").get("schedules").spliterator(), false)
                .filter(s -> s.get("id").asString().equals(id))
                .findFirst()
                .orElseThrow();
        assertThat(listed.get("missed").asString()).isEqualTo("run-once");
        assertThat(listed.get("overlap").asString()).isEqualTo("allow");
        assertThat(Instant.parse(listed.get("nextFireAt").asString())
                        .atZone(ZoneId.of("Europe/Berlin"))
                        .getHour())
                .isEqualTo(3);

        assertThat(json(send("POST", "/api/v1/schedules/" + id + "/pause", ""))
                        .get("nextFireAt")
                        .isNull())
                .isTrue();
        assertThat(json(send("POST", "/api/v1/schedules/" + id + "/resume", ""))
                        .get("nextFireAt")
                        .isNull())
                .isFalse();

        HttpResponse<String> triggered = send("POST", "/api/v1/schedules/" + id + "/trigger", "");
        assertThat(triggered.statusCode()).isEqualTo(202);
        String task = json(triggered).get("id").asString();
        await().atMost(WAIT).until(() -> "SUCCESS".equals(text(get("/api/v1/tasks/" + task), "state")));
        assertThat(get("/api/v1/tasks/" + task).get("result").asLong()).isEqualTo(5);
        assertThat(fires(id)).singleElement().satisfies(f -> {
            assertThat(f.get("outcome").asString()).isEqualTo("triggered");
            assertThat(f.get("taskId").asString()).isEqualTo(task);
        });

        HttpResponse<String> replaced = send("PUT", "/api/v1/schedules/" + id, """
                {"every": "1h", "task": "demo.add", "args": [1, 1], "missed": "skip"}""");
        assertThat(replaced.statusCode()).isEqualTo(200);
        assertThat(json(replaced).get("every").asString()).isEqualTo("PT1H");
        assertThat(json(replaced).get("cron").isNull()).isTrue();
        assertThat(send("PUT", "/api/v1/schedules/" + id + "-new", """
                        {"every": "1h", "task": "demo.add", "args": [1, 1]}""").statusCode())
                .isEqualTo(201);

        assertThat(send("DELETE", "/api/v1/schedules/" + id, "").statusCode()).isEqualTo(204);
        HttpResponse<String> gone = send("GET", "/api/v1/schedules/" + id, null);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(json(gone).get("detail").asString()).contains(id);
    }

    @Test
    void refusesAScheduleThatWouldNotFireAsAskedWithAProblemSayingWhy() throws Exception {
        assertProblem("{\"id\": \"x1\", \"task\": \"demo.add\"}", 422, "exactly one of 'cron', 'every' and 'at'");
        assertProblem(
                "{\"id\": \"x2\", \"cron\": \"* * * * *\", \"every\": 5, \"task\": \"demo.add\"}", 422, "exactly one");
        assertProblem("{\"id\": \"x3\", \"cron\": \"every day\", \"task\": \"demo.add\"}", 422, "'cron'");
        assertProblem(
                "{\"id\": \"x4\", \"cron\": \"@daily\", \"zone\": \"Mars/Olympus\", \"task\": \"demo.add\"}",
                422,
                "IANA time zone");
        assertProblem("{\"id\": \"x5\", \"every\": 0.5, \"task\": \"demo.add\"}", 422, "at least 1 second");
        assertProblem("{\"id\": \"x6\", \"every\": \"soon\", \"task\": \"demo.add\"}", 422, "'every'");
        assertProblem("{\"id\": \"x7\", \"every\": 5, \"task\": \"demo.nothing\"}", 422, "demo.nothing");
        assertProblem(
                "{\"id\": \"x8\", \"every\": 5, \"task\": \"demo.add\", \"missed\": \"sometimes\"}",
                422,
                "skip, run-once, run-each");
        assertProblem(
                "{\"id\": \"x9\", \"every\": 5, \"task\": \"demo.add\", \"overlap\": \"queue\"}",
                422,
                "allow, skip, replace");
        assertProblem("{\"id\": \"has space\", \"every\": 5, \"task\": \"demo.add\"}", 422, "schedule id");
        assertProblem("{\"every\": 5, \"task\": \"demo.add\"}", 400, "'id' is required");
        assertProblem("{\"id\": \"x10\", \"at\": \"tomorrow\", \"task\": \"demo.add\"}", 422, "'at'");
        assertProblem(
                "{\"id\": \"x11\", \"every\": 5, \"zone\": \"UTC\", \"task\": \"demo.add\"}", 422, "'zone' applies");
        HttpResponse<String> mismatched = send("PUT", "/api/v1/schedules/one", """
                {"id": "other", "every": 5, "task": "demo.add"}""");
        assertThat(mismatched.statusCode()).isEqualTo(422);
        assertThat(ledgerCount("SELECT COUNT(*) FROM schedules WHERE id LIKE 'x%' OR id IN ('one', 'other')"))
                .isZero();
    }

    private void assertProblem(String body, int status, String detail) throws Exception {
        HttpResponse<String> response = send("POST", "/api/v1/schedules", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(json(response).get("detail").asString()).contains(detail);
    }

    // --- helpers ---

    private static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static List<JsonNode> fires(String id) throws Exception {
        JsonNode page = get("/api/v1/schedules/" + id + "/fires?limit=1000");
        return StreamSupport.stream(page.get("fires").spliterator(), false).toList();
    }

    private static List<String> outcomes(String id) throws Exception {
        return fires(id).stream().map(f -> f.get("outcome").asString()).toList();
    }

    private static String text(JsonNode node, String field) {
        return node == null || node.get(field) == null || node.get(field).isNull()
                ? null
                : node.get(field).asString();
    }

    private static double firedByInstances(String id) {
        return counted(id, "fired");
    }

    private static double missedByInstances(String id) {
        return counted(id, "missed");
    }

    private static double counted(String id, String outcome) {
        return apis.stream()
                .mapToDouble(api -> api
                        .getBean(MeterRegistry.class)
                        .find("celeriac.schedule.fires")
                        .tag("schedule", id)
                        .tag("outcome", outcome)
                        .counters()
                        .stream()
                        .mapToDouble(c -> c.count())
                        .sum())
                .sum();
    }

    private static JdbcTemplate jdbc() {
        return apis.getFirst().getBean(JdbcTemplate.class);
    }

    private static long ledgerCount(String sql, Object... args) {
        return jdbc().queryForObject(sql, Long.class, args);
    }

    private static JsonNode get(String path) throws Exception {
        HttpResponse<String> response = send("GET", path, null);
        return response.statusCode() == 200 ? json.readTree(response.body()) : null;
    }

    private static JsonNode json(HttpResponse<String> response) {
        return json.readTree(response.body());
    }

    /** A request to one of the two instances, in turn: they are one API. */
    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        String base = bases.get((int) (turn++ % bases.size()));
        var request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long turn;
}
