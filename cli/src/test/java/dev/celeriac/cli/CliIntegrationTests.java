package dev.celeriac.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.api.CeleriacApiApplication;
import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import dev.celeriac.testsupport.http.ApiCalls;
import dev.celeriac.worker.demo.DemoTasks;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The built jar ({@code target/celeriac-cli.jar}), run as an operator runs it, against a real API and worker: what it
 * prints for people and for scripts, and the exit status of each outcome.
 */
class CliIntegrationTests {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(DemoTasks.class)
    static class DemoWorker {}

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    private static final String ADMIN = "admin-key-for-the-command-line";
    private static final String READ = "read-key-for-the-command-line";
    private static final String IDLE_QUEUE = "reports";
    private static final Path JAR = Path.of("target", "celeriac-cli.jar");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final JsonMapper json = JsonMapper.builder().build();

    private static ConfigurableApplicationContext api;
    private static ConfigurableApplicationContext worker;
    private static String base;
    private static String workerName;

    @TempDir
    Path home;

    /** What a run of the jar printed, and its exit status. */
    record Run(int status, String out, String err) {
        JsonNode json() {
            return CliIntegrationTests.json.readTree(out);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        var broker = new ArrayList<String>();
        rabbit.endpoint().springProperties().forEach((k, v) -> broker.add("--" + k + "=" + v));
        var arguments = new ArrayList<>(broker);
        arguments.add("--spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
        arguments.add("--server.port=0");
        arguments.add("--celeriac.api.keys=" + ADMIN + ":admin," + READ + ":read");
        arguments.add("--celeriac.worker.enabled=false");
        // A queue no worker consumes: what is sent to it waits there, to be purged.
        arguments.add("--celeriac.topology.queues.default.kind=quorum");
        arguments.add("--celeriac.topology.queues." + IDLE_QUEUE + ".kind=quorum");
        api = new SpringApplicationBuilder(CeleriacApiApplication.class).run(arguments.toArray(String[]::new));
        base = "http://127.0.0.1:" + api.getEnvironment().getProperty("local.server.port");
        worker = new SpringApplicationBuilder(DemoWorker.class)
                .web(WebApplicationType.NONE)
                .run(broker.toArray(String[]::new));
        await().atMost(WAIT)
                .until(() ->
                        rest("GET", "/api/v1/workers", null).path("workers").size() == 1);
        workerName = rest("GET", "/api/v1/workers", null)
                .path("workers")
                .get(0)
                .path("worker")
                .path("hostname")
                .asString();
    }

    @AfterAll
    static void stop() {
        if (worker != null) {
            worker.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    void helpListsEveryVerbAndTheExitStatuses() throws Exception {
        Run help = cli("--help");

        assertThat(help.status()).isZero();
        for (String verb :
                List.of("submit", "tasks", "dead-letters", "queues", "workers", "schedules", "whoami", "completion")) {
            assertThat(help.out()).containsPattern("(?m)^  " + verb + " ");
        }
        assertThat(help.out()).contains("7 a wait timed out");
        assertThat(cli("tasks", "--help").out()).contains("list", "show", "wait", "revoke", "retry", "bulk");
        assertThat(cli("completion").out()).contains("complete -F").contains("dead-letters");
    }

    @Test
    void submitsATaskAndPrintsItsResultOrTheFailureWithItsExitStatus() throws Exception {
        Run added = cli("submit", "demo.add", "2", "3", "--wait");
        assertThat(added.status()).as(added.err()).isZero();
        assertThat(added.out()).isEqualTo("5\n");

        Run failed = cli("submit", "demo.fail", "card declined", "--wait");
        assertThat(failed.status()).isEqualTo(1);
        assertThat(failed.err()).contains("failed: NonRetryableException: card declined");

        // Without --wait: the id alone, for a script to keep.
        Run submitted = cli("submit", "demo.echo", "-k", "order=A-17", "-k", "count=3");
        assertThat(submitted.status()).isZero();
        String id = submitted.out().strip();
        Run waited = cli("tasks", "wait", id, "--json");
        assertThat(waited.status()).isZero();
        assertThat(waited.json().path("result").path("order").asString()).isEqualTo("A-17");
        // "3" read as JSON: a number, not a string.
        assertThat(waited.json().path("result").path("count").isInt()).isTrue();
    }

    @Test
    void listsShowsAndRunsATaskAgain() throws Exception {
        String tag = "cli-" + UUID.randomUUID().toString().substring(0, 8);
        String id = cli("submit", "demo.echo", "-k", "tag=" + tag).out().strip();
        assertThat(cli("tasks", "wait", id).status()).isZero();

        Run list = cli("tasks", "list", "--task", "demo.echo", "--json");
        assertThat(ids(list.json().path("tasks"))).contains(id);
        Run table = cli("tasks", "list", "--task", "demo.echo", "--limit", "5");
        assertThat(table.out().lines().findFirst().orElseThrow()).matches("ID +TASK +STATE +QUEUE +SUBMITTED +ARGS");
        assertThat(table.out()).contains(id);

        Run shown = cli("tasks", "show", id);
        assertThat(shown.out()).containsPattern("(?m)^state +SUCCESS$").contains(tag);
        assertThat(shown.out()).containsPattern("(?m)^AT +STATE +ATTEMPT +REPLAY +WORKER +DETAIL$");
        assertThat(shown.out().lines().filter(l -> l.matches("\\S+ +(PENDING|RECEIVED|STARTED|SUCCESS) .*")))
                .hasSize(4);

        Run again = cli("tasks", "retry", id, "--wait");
        assertThat(again.status()).as(again.err()).isZero();
        String newId = again.out().split(" ")[0];
        assertThat(newId).isNotEqualTo(id);
        assertThat(rest("GET", "/api/v1/tasks/" + newId, null)
                        .path("kwargs")
                        .path("tag")
                        .asString())
                .isEqualTo(tag);
    }

    @Test
    void replaysAndDiscardsDeadLetters() throws Exception {
        String reason = "declined-" + UUID.randomUUID();
        String id = cli("submit", "demo.fail", reason).out().strip();
        await().atMost(WAIT).until(() -> lettersOf(id).size() == 1);
        long letter = lettersOf(id).getFirst().path("id").asLong();
        assertThat(cli("dead-letters", "list").out()).contains(id).contains("not-retryable");

        Run replayed = cli("dead-letters", "replay", String.valueOf(letter));
        assertThat(replayed.status()).as(replayed.err()).isZero();
        assertThat(replayed.out()).isEqualTo("replayed " + letter + " (task " + id + ")\n");
        // The replay fails again: a new dead letter, the task's first replay.
        await().atMost(WAIT)
                .until(() -> lettersOf(id).size() == 1
                        && lettersOf(id).getFirst().path("replay").asInt() == 1);

        long second = lettersOf(id).getFirst().path("id").asLong();
        assertThat(cli("dead-letters", "discard", String.valueOf(second)).status())
                .isZero();
        assertThat(lettersOf(id)).isEmpty();
        assertThat(cli("dead-letters", "replay", String.valueOf(second)).status())
                .isEqualTo(4);
    }

    @Test
    void revokesEveryMatchingTaskInBulkAfterCountingThem() throws Exception {
        String tag = "later-" + UUID.randomUUID().toString().substring(0, 8);
        var ids = new ArrayList<String>();
        for (int i = 0; i < 3; i++) {
            ids.add(cli("submit", "demo.echo", "-k", "batch=" + tag, "--countdown", "3600")
                    .out()
                    .strip());
        }

        Run counted = cli("tasks", "bulk", "revoke", "--search", tag, "--dry-run");
        assertThat(counted.out()).isEqualTo("3 tasks match; revoke applies to 3\n");
        Run revoked = cli("tasks", "bulk", "revoke", "--search", tag, "--yes", "--json");
        assertThat(revoked.status()).as(revoked.err()).isZero();
        assertThat(StreamSupport.stream(revoked.json().path("done").spliterator(), false)
                        .map(d -> d.path("taskId").asString()))
                .containsExactlyInAnyOrderElementsOf(ids);
        for (String id : ids) {
            assertThat(rest("GET", "/api/v1/tasks/" + id, null)
                            .path("revokedAt")
                            .isNull())
                    .isFalse();
        }
    }

    @Test
    void showsQueuesAndWorkersAndPingsThem() throws Exception {
        Run queues = cli("queues", "list");
        assertThat(queues.out()).containsPattern("(?m)^default +\\d+ +1 +1 +\\d+$");

        Run workers = cli("workers", "list", "--json");
        assertThat(workers.json().path("workers").get(0).path("alive").asBoolean())
                .isTrue();
        Run ping = cli("workers", "ping");
        assertThat(ping.status()).isZero();
        assertThat(ping.out()).containsPattern("(?m)^" + workerName.replace(".", "\\.") + " +pong$");
        assertThat(cli("whoami").out()).isEqualTo("admin at " + base + "\n");
    }

    @Test
    void purgesAQueueAndRecordsItsTasksRevoked() throws Exception {
        var ids = new ArrayList<String>();
        for (int i = 0; i < 3; i++) {
            ids.add(cli("submit", "demo.add", String.valueOf(i), "1", "--queue", IDLE_QUEUE)
                    .out()
                    .strip());
        }
        await().atMost(WAIT)
                .until(() -> cli("queues", "list").out().lines().anyMatch(l -> l.matches(IDLE_QUEUE + " +3 +0 +0 +0")));

        Run purged = cli("queues", "purge", IDLE_QUEUE, "--yes");
        assertThat(purged.status()).as(purged.err()).isZero();
        assertThat(purged.out()).isEqualTo("purged 3 messages from " + IDLE_QUEUE + "\n");
        for (String id : ids) {
            JsonNode history =
                    rest("GET", "/api/v1/tasks/" + id + "/history", null).path("history");
            assertThat(history.get(history.size() - 1).path("state").asString()).isEqualTo("REVOKED");
            assertThat(history.get(history.size() - 1).path("detail").asString())
                    .isEqualTo("purged");
        }
        assertThat(cli("queues", "list").out()).containsPattern("(?m)^" + IDLE_QUEUE + " +0 ");
        assertThat(cli("queues", "purge", "no-such-queue", "--yes").status()).isEqualTo(3);
    }

    @Test
    void pausesAndFiresASchedule() throws Exception {
        String schedule = "cli-" + UUID.randomUUID().toString().substring(0, 8);
        rest("PUT", "/api/v1/schedules/" + schedule, """
                {"every": "1h", "task": "demo.add", "args": [20, 22]}""");

        assertThat(cli("schedules", "list").out()).containsPattern("(?m)^" + schedule + " +demo\\.add +every ");
        assertThat(cli("schedules", "pause", schedule).out()).isEqualTo("paused " + schedule + "\n");
        assertThat(rest("GET", "/api/v1/schedules/" + schedule, null)
                        .path("paused")
                        .asBoolean())
                .isTrue();
        Run fired = cli("schedules", "trigger", schedule);
        assertThat(fired.out()).startsWith("fired " + schedule + ": task ");
        String task =
                fired.out().strip().substring(fired.out().lastIndexOf(' ') + 1).strip();
        assertThat(cli("tasks", "wait", task).out()).isEqualTo("42\n");
    }

    @Test
    void saysWhatWentWrongWithAnExitStatusAScriptCanTell() throws Exception {
        Run unknownTask = cli("submit", "no.such.task");
        assertThat(unknownTask.status()).isEqualTo(4);
        assertThat(unknownTask.err()).startsWith("celeriac: ").contains("no.such.task");

        assertThat(cli("tasks", "show", "no-such-task").status()).isEqualTo(3);
        assertThat(cli("tasks", "show").status()).isEqualTo(2);

        Run badKey = cliWith(Map.of("CELERIAC_API_KEY", "not-a-key-the-api-knows"), "tasks", "list");
        assertThat(badKey.status()).isEqualTo(5);
        assertThat(badKey.err()).contains("does not know this key");

        String pending = cli("submit", "demo.sleep", "60000").out().strip();
        Run readOnly = cliWith(Map.of("CELERIAC_API_KEY", READ), "tasks", "revoke", pending);
        assertThat(readOnly.status()).isEqualTo(5);

        Run timedOut = cli("tasks", "wait", pending, "--timeout", "1");
        assertThat(timedOut.status()).isEqualTo(7);
        assertThat(cli("tasks", "revoke", pending, "--terminate").status()).isZero();

        Run nowhere = cliWith(Map.of("CELERIAC_URL", "http://127.0.0.1:9"), "whoami");
        assertThat(nowhere.status()).isEqualTo(6);
        assertThat(nowhere.err()).contains("cannot be reached");
    }

    @Test
    void readsTheAddressAndKeyFromItsConfigurationFile() throws Exception {
        Path config = home.resolve("celeriac").resolve("cli.properties");
        Files.createDirectories(config.getParent());
        Files.writeString(config, "url=" + base + "\nkey=" + READ + "\n");

        var environment = new HashMap<String, String>();
        environment.put("XDG_CONFIG_HOME", home.toString());
        Run fromFile = run(environment, "whoami");
        assertThat(fromFile.out()).isEqualTo("read at " + base + "\n");
        // An option wins over the file.
        assertThat(run(environment, "whoami", "--key", ADMIN).out()).startsWith("admin at ");
    }

    // --- running the jar ---

    private Run cli(String... arguments) throws Exception {
        return cliWith(Map.of(), arguments);
    }

    private Run cliWith(Map<String, String> overrides, String... arguments) throws Exception {
        var environment = new HashMap<String, String>();
        environment.put("CELERIAC_URL", base);
        environment.put("CELERIAC_API_KEY", ADMIN);
        environment.put("XDG_CONFIG_HOME", home.toString());
        environment.putAll(overrides);
        return run(environment, arguments);
    }

    private static Run run(Map<String, String> environment, String... arguments) throws Exception {
        var command = new ArrayList<String>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-jar");
        command.add(JAR.toString());
        command.addAll(List.of(arguments));
        var builder = new ProcessBuilder(command);
        builder.environment().remove("CELERIAC_URL");
        builder.environment().remove("CELERIAC_API_KEY");
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        var out = process.getInputStream().readAllBytes();
        var err = process.getErrorStream().readAllBytes();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).isTrue();
        return new Run(
                process.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    // --- the API, read directly ---

    private static List<String> ids(JsonNode tasks) {
        return StreamSupport.stream(tasks.spliterator(), false)
                .map(t -> t.path("id").asString())
                .toList();
    }

    private static List<JsonNode> lettersOf(String taskId) throws Exception {
        return StreamSupport.stream(
                        rest("GET", "/api/v1/dead-letters", null)
                                .path("deadLetters")
                                .spliterator(),
                        false)
                .filter(d -> d.path("taskId").asString().equals(taskId))
                .toList();
    }

    private static JsonNode rest(String method, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> answer = new ApiCalls(base, ADMIN).send(method, path, body);
        assertThat(answer.statusCode())
                .as(method + " " + path + ": " + answer.body())
                .isLessThan(300);
        return json.readTree(answer.body());
    }
}
