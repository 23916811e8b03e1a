package dev.celeriac.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import dev.celeriac.testsupport.broker.RabbitEndpoint;
import dev.celeriac.testsupport.database.IsolatedDatabase;
import dev.celeriac.testsupport.database.PostgresEndpoint;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The monitoring stack without Docker: the API and a worker started from the built jars as their Dockerfile stages
 * make and start them (the stages' own steps, the worker's AOT training run included, then their entrypoints) with
 * docker-compose.yml's environment (only hosts, ports, vhost and database changed), scraped by a real
 * Prometheus started with the compose command and scrape config (only targets changed). A mix of demo tasks runs
 * (successes, retries, failures, dead letters) beside a schedule firing every second; then every panel query of
 * every dashboard must return data and every
 * alert rule must load and evaluate.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MonitoringStackIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    @RegisterExtension
    static final IsolatedDatabase database = new IsolatedDatabase();

    /** The per-task dashboard is checked for the task whose runs take every path: retry, success, dead letter. */
    private static final String DRILL_DOWN_TASK = "demo.flaky";

    /** Grafana's variables as it would set them for a 15 s scrape interval and a 15-minute dashboard. */
    private static final Map<String, String> VARIABLES = Map.of(
            "task", DRILL_DOWN_TASK,
            "__rate_interval", "1m",
            "__interval", "15s",
            "__range", "15m");

    private static final Path WORK = Path.of("target", "monitoring-check").toAbsolutePath();
    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final JsonMapper json = JsonMapper.builder().build();

    private static ComposeFile compose;
    private static StackProcess api;
    private static StackProcess worker;
    private static StackProcess prometheus;
    private static String apiBase;
    private static int workerPort;
    private static String prometheusBase;
    private static String apiKey;
    private static String rabbitUser;
    private static Instant started;
    private static final List<String> accepted = new ArrayList<>();

    @BeforeAll
    static void startTheStack() throws Exception {
        String prometheusBinary = executable("prometheus");
        compose = ComposeFile.load();
        Dockerfile dockerfile = Dockerfile.load();
        Files.createDirectories(WORK);

        RabbitEndpoint broker = composeUserOnIsolatedVirtualHost();
        PostgresEndpoint ledger = composeOwnerOfIsolatedDatabase();

        int apiPort = freePort();
        var apiEnvironment = compose.environment("api");
        pointAtLocalServices(apiEnvironment, broker, apiPort);
        assertThat(apiEnvironment.get("SPRING_DATASOURCE_URL")).startsWith("jdbc:postgresql://postgres:5432/");
        apiEnvironment.put(
                "SPRING_DATASOURCE_URL",
                "jdbc:postgresql://" + ledger.host() + ":" + ledger.port() + "/" + ledger.database());
        apiKey = compose.dotenv().get("CELERIAC_API_KEYS").split(",")[0].split(":")[0];
        api = StackProcess.start("api", command(dockerfile.stage("api")), apiEnvironment, WORK);
        apiBase = "http://127.0.0.1:" + apiPort;

        workerPort = freePort();
        var workerEnvironment = compose.environment("worker");
        pointAtLocalServices(workerEnvironment, broker, workerPort);
        worker = StackProcess.start("worker", command(dockerfile.stage("worker")), workerEnvironment, WORK);

        awaitHealthy(api, apiBase);
        awaitHealthy(worker, "http://127.0.0.1:" + workerPort);

        int prometheusPort = freePort();
        Path config = prometheusConfig(Map.of(
                "celeriac-api", "127.0.0.1:" + apiPort,
                "celeriac-worker", "127.0.0.1:" + workerPort,
                "rabbitmq", broker.host() + ":15692"));
        Path tsdb = Files.createDirectories(WORK.resolve("tsdb-" + System.nanoTime()));
        var prometheusCommand = new ArrayList<String>();
        prometheusCommand.add(prometheusBinary);
        for (String argument : compose.command("prometheus")) {
            prometheusCommand.add(argument.replace("/etc/prometheus/", config.getParent() + "/")
                    .replace("=/prometheus", "=" + tsdb));
        }
        prometheusCommand.add("--web.listen-address=127.0.0.1:" + prometheusPort);
        prometheus = StackProcess.start("prometheus", prometheusCommand, Map.of(), WORK);
        prometheusBase = "http://127.0.0.1:" + prometheusPort;
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .failFast("prometheus exited", () -> assertRunning(prometheus))
                .until(() -> status(prometheusBase + "/-/ready") == 200);
        // The first scrape of both Celeriac jobs, so every counter is seen at zero before the tasks run.
        await().atMost(Duration.ofSeconds(60))
                .until(() -> targetHealth().entrySet().stream()
                        .filter(e -> e.getKey().startsWith("celeriac-"))
                        .allMatch(e -> e.getValue().equals("up")));
        started = Instant.now();
    }

    @AfterAll
    static void stopTheStack() throws Exception {
        for (StackProcess process : new StackProcess[] {prometheus, worker, api}) {
            if (process != null) {
                process.close();
            }
        }
        if (rabbitUser != null) {
            rabbit.broker().rabbitmqctl("delete_user", rabbitUser);
        }
    }

    @Test
    @Order(1)
    void promtoolAcceptsTheScrapeConfigAndTheAlertRules() throws Exception {
        String promtool = executable("promtool");
        Path config = WORK.resolve("prometheus").resolve("prometheus.yml");
        assertThat(run(promtool, "check", "config", config.toString())).contains("SUCCESS");
        assertThat(run(
                        promtool,
                        "check",
                        "rules",
                        Repository.path("monitoring/prometheus/alerts.yml").toString()))
                .contains("SUCCESS: " + AlertRules.load().size() + " rules found");
    }

    @Test
    @Order(2)
    void everyPanelOfEveryDashboardHasDataAfterAMixOfTasks() throws Exception {
        var running = new AtomicBoolean(true);
        var failures = new ConcurrentLinkedQueue<String>();
        // A schedule beside the mix, for the panels of schedules.
        var schedule = http.send(
                HttpRequest.newBuilder(URI.create(apiBase + "/api/v1/schedules/monitoring-every-second"))
                        .header("Authorization", "Bearer " + apiKey)
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(
                                "{\"every\": 1, \"task\": \"demo.add\", \"args\": [1, 1]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(schedule.statusCode()).as(schedule.body()).isIn(200, 201);
        Thread load = Thread.ofPlatform().name("task-mix").start(() -> submitMix(running, failures));
        Map<Dashboards.PanelQuery, int[]> results = new LinkedHashMap<>();
        try {
            await().atMost(Duration.ofMinutes(4))
                    .pollInterval(Duration.ofSeconds(5))
                    .failFast("the task mix failed", () -> assertThat(failures).isEmpty())
                    .until(() -> {
                        results.clear();
                        for (var query : Dashboards.queries()) {
                            results.put(query, seriesOf(query.resolved(VARIABLES)));
                        }
                        return results.values().stream().allMatch(r -> r[1] > 0);
                    });
        } finally {
            running.set(false);
            load.join();
            report(results);
        }
        assertThat(failures).isEmpty();

        // The per-task dashboard's variable offers the tasks that ran.
        JsonNode values =
                get(prometheusBase + "/api/v1/label/task/values?match[]=" + encode("celeriac_tasks_completed_total"));
        assertThat(values.get("data").toString()).contains(DRILL_DOWN_TASK, "demo.add", "demo.fail");

        // Nothing submitted was lost on the way: every task reached a final state in the ledger.
        for (String id : List.copyOf(accepted)) {
            JsonNode task = get(apiBase + "/api/v1/tasks/" + id + "?wait=60");
            assertThat(task.get("state").asString()).as(id).isIn("SUCCESS", "FAILURE");
        }
    }

    @Test
    @Order(3)
    void everyAlertRuleLoadsAndEvaluatesWithoutError() throws Exception {
        Set<String> expected =
                AlertRules.load().stream().map(AlertRules.Rule::alert).collect(Collectors.toSet());
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> {
                    Map<String, String> health = ruleHealth();
                    return health.keySet().equals(expected)
                            && health.values().stream().allMatch("ok"::equals);
                });
        System.out.println("alert rule                     health  series now");
        for (AlertRules.Rule rule : AlertRules.load()) {
            JsonNode answer = get(prometheusBase + "/api/v1/query?query=" + encode(rule.expr()));
            assertThat(answer.get("status").asString()).as(rule.alert()).isEqualTo("success");
            System.out.printf(
                    "%-30s %-7s %d%n",
                    rule.alert(), "ok", answer.get("data").get("result").size());
        }
    }

    @Test
    @Order(4)
    void noSecretOfTheEnvFileAppearsInLogsOrMetrics() throws Exception {
        var scrapes = new ArrayList<String>();
        for (String target : List.of(apiBase, "http://127.0.0.1:" + workerPort)) {
            scrapes.add(http.send(
                            HttpRequest.newBuilder(URI.create(target + "/actuator/prometheus"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
        }
        String logs = Files.readString(WORK.resolve("api.log")) + Files.readString(WORK.resolve("worker.log"));
        assertThat(logs).doesNotContain("Using generated security password");
        for (String variable : List.of("RABBITMQ_PASSWORD", "POSTGRES_PASSWORD", "CELERIAC_API_KEYS")) {
            String secret = compose.dotenv().get(variable).split(":")[0];
            assertThat(logs).as(variable).doesNotContain(secret);
            scrapes.forEach(scrape -> assertThat(scrape).as(variable).doesNotContain(secret));
        }
    }

    /** Submits, twice a second, tasks that succeed, retry then succeed, fail for good, and exhaust their retries. */
    private static void submitMix(AtomicBoolean running, ConcurrentLinkedQueue<String> failures) {
        int round = 0;
        while (running.get()) {
            var tasks = new ArrayList<String>();
            tasks.add("{\"task\": \"demo.add\", \"args\": [" + round + ", 1]}");
            tasks.add("{\"task\": \"demo.echo\", \"kwargs\": {\"round\": " + round + "}}");
            tasks.add("{\"task\": \"demo.sleep\", \"args\": [" + (20 + round % 5 * 40) + "]}");
            tasks.add("{\"task\": \"demo.flaky\", \"args\": [1]}");
            tasks.add("{\"task\": \"demo.notify\", \"args\": [\"round " + round + "\"]}");
            if (round % 4 == 0) {
                tasks.add("{\"task\": \"demo.fail\", \"args\": [\"round " + round + "\"]}");
            }
            if (round % 20 == 0) {
                tasks.add("{\"task\": \"demo.flaky\", \"args\": [99]}");
            }
            try {
                var response = http.send(
                        HttpRequest.newBuilder(URI.create(apiBase + "/api/v1/tasks/batch"))
                                .header("Authorization", "Bearer " + apiKey)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"tasks\": [" + String.join(", ", tasks) + "]}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 202) {
                    failures.add("batch refused: " + response.statusCode() + " " + response.body());
                    return;
                }
                for (JsonNode task : json.readTree(response.body()).get("tasks")) {
                    synchronized (accepted) {
                        accepted.add(task.get("id").asString());
                    }
                }
                Thread.sleep(500);
            } catch (IOException e) {
                failures.add("batch failed: " + e);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            round++;
        }
    }

    /** Series a panel query returns over the run as Grafana asks for it, and how many of them hold a number. */
    private static int[] seriesOf(String query) throws Exception {
        Instant end = Instant.now();
        JsonNode answer = get(prometheusBase + "/api/v1/query_range?query=" + encode(query) + "&start="
                + started.minusSeconds(60).getEpochSecond() + "&end=" + end.getEpochSecond() + "&step=5");
        assertThat(answer.get("status").asString()).as(query).isEqualTo("success");
        int series = 0;
        int withNumbers = 0;
        for (JsonNode result : answer.get("data").get("result")) {
            series++;
            for (JsonNode point : result.get("values")) {
                String value = point.get(1).asString();
                if (!value.equals("NaN") && !value.contains("Inf")) {
                    withNumbers++;
                    break;
                }
            }
        }
        return new int[] {series, withNumbers};
    }

    private static void report(Map<Dashboards.PanelQuery, int[]> results) throws IOException {
        // Series: what the panel draws over the run; numeric: series with a value that is not NaN.
        var lines = new ArrayList<String>();
        lines.add(String.format("%-18s %-34s %-3s %6s %8s", "dashboard", "panel", "ref", "series", "numeric"));
        results.forEach((query, result) -> lines.add(String.format(
                "%-18s %-34s %-3s %6d %8d", query.dashboard(), query.panel(), query.refId(), result[0], result[1])));
        try {
            lines.add("scrape targets: " + targetHealth());
        } catch (Exception e) {
            lines.add("scrape targets: unknown (" + e + ")");
        }
        Files.write(WORK.resolve("panels.txt"), lines);
        lines.forEach(System.out::println);
    }

    private static Map<String, String> targetHealth() throws Exception {
        var health = new TreeMap<String, String>();
        for (JsonNode target :
                get(prometheusBase + "/api/v1/targets").get("data").get("activeTargets")) {
            health.merge(
                    target.get("labels").get("job").asString(),
                    target.get("health").asString(),
                    (a, b) -> a.equals("up") && b.equals("up") ? "up" : "down");
        }
        return health;
    }

    private static Map<String, String> ruleHealth() throws Exception {
        var health = new TreeMap<String, String>();
        for (JsonNode group : get(prometheusBase + "/api/v1/rules").get("data").get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                health.put(rule.get("name").asString(), rule.get("health").asString());
            }
        }
        return health;
    }

    /** The compose file's broker user, created on this test's own vhost (and deleted after). */
    private static RabbitEndpoint composeUserOnIsolatedVirtualHost() {
        RabbitEndpoint endpoint = rabbit.endpoint();
        String user = compose.dotenv().get("RABBITMQ_USER");
        String password = compose.dotenv().get("RABBITMQ_PASSWORD");
        assertThat(compose.environment("api").get("SPRING_RABBITMQ_USERNAME")).isEqualTo(user);
        try {
            rabbit.broker().rabbitmqctl("delete_user", user);
        } catch (RuntimeException e) {
            // None left over from an earlier run.
        }
        rabbit.broker().rabbitmqctl("add_user", user, password);
        rabbitUser = user;
        rabbit.broker().rabbitmqctl("set_permissions", "-p", endpoint.virtualHost(), user, ".*", ".*", ".*");
        return new RabbitEndpoint(endpoint.host(), endpoint.port(), user, password, endpoint.virtualHost());
    }

    /** The compose file's database user, made owner of this test's own database. */
    private static PostgresEndpoint composeOwnerOfIsolatedDatabase() throws Exception {
        PostgresEndpoint endpoint = database.endpoint();
        String user = compose.dotenv().get("POSTGRES_USER");
        String password = compose.dotenv().get("POSTGRES_PASSWORD");
        assertThat(compose.environment("api").get("SPRING_DATASOURCE_USERNAME")).isEqualTo(user);
        assertThat(user).matches("[a-z_][a-z0-9_]*");
        try (var connection = endpoint.connect();
                var statement = connection.createStatement()) {
            var exists = statement.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + user + "'");
            if (!exists.next()) {
                statement.execute("CREATE ROLE " + user + " LOGIN");
            }
            statement.execute("ALTER ROLE " + user + " PASSWORD '" + password.replace("'", "''") + "'");
            statement.execute("ALTER DATABASE \"" + endpoint.database() + "\" OWNER TO " + user);
        }
        return new PostgresEndpoint(endpoint.host(), endpoint.port(), endpoint.database(), user, password);
    }

    /** Hosts, ports and vhost of the compose network replaced by the local ones; nothing else changes. */
    private static void pointAtLocalServices(Map<String, String> environment, RabbitEndpoint broker, int port) {
        assertThat(environment.get("SPRING_RABBITMQ_ADDRESSES")).isEqualTo("rabbitmq:5672");
        environment.put("SPRING_RABBITMQ_ADDRESSES", broker.host() + ":" + broker.port());
        environment.put("SPRING_RABBITMQ_VIRTUAL_HOST", broker.virtualHost());
        environment.put("SERVER_PORT", String.valueOf(port));
    }

    /** The scrape config with each job's targets replaced by the local ones, beside the alert rules. */
    @SuppressWarnings("unchecked")
    private static Path prometheusConfig(Map<String, String> targets) throws IOException {
        Map<String, Object> config = new Yaml().load(Repository.read("monitoring/prometheus/prometheus.yml"));
        for (Map<String, Object> job : (List<Map<String, Object>>) config.get("scrape_configs")) {
            String name = (String) job.get("job_name");
            assertThat(targets).as("a local target for scrape job " + name).containsKey(name);
            job.keySet().removeIf(key -> key.endsWith("_sd_configs") || key.equals("static_configs"));
            job.put("static_configs", List.of(Map.of("targets", List.of(targets.get(name)))));
        }
        Path directory = Files.createDirectories(WORK.resolve("prometheus"));
        var options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Files.writeString(directory.resolve("prometheus.yml"), new Yaml(options).dump(config));
        Files.copy(
                Repository.path("monitoring/prometheus/alerts.yml"),
                directory.resolve("alerts.yml"),
                StandardCopyOption.REPLACE_EXISTING);
        return directory.resolve("prometheus.yml");
    }

    /**
     * The image's entrypoint, run here. The stage is first built into a directory of its own that stands for the
     * image's root: the jar it copies from the build stage is copied there from the reactor's build, and each of the
     * stage's own {@code RUN} steps (the worker's extraction and AOT training run) runs with this JDK's java and its
     * paths under that directory. The entrypoint then runs with the same substitutions.
     */
    private static List<String> command(Dockerfile.Stage stage) throws IOException, InterruptedException {
        Path image = WORK.resolve("image-" + stage.name());
        if (Files.exists(image)) {
            try (var old = Files.walk(image)) {
                for (Path path : old.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
        Files.createDirectories(image);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (var copy : stage.copiedFromStages().entrySet()) {
            Path built = Repository.path(copy.getValue().replaceFirst("^/src/", ""));
            assertThat(built).as("built by the reactor before this check").exists();
            Path target = inImage(image, copy.getKey());
            Files.createDirectories(target.getParent());
            Files.copy(built, target, StandardCopyOption.REPLACE_EXISTING);
        }
        for (String run : stage.all("RUN")) {
            String here = run.replace("/app/", image + "/app/").replaceAll("(^|&& )java ", "$1" + java + " ");
            Process step = new ProcessBuilder("sh", "-c", here)
                    .redirectErrorStream(true)
                    .redirectOutput(
                            WORK.resolve("image-" + stage.name() + ".log").toFile())
                    .start();
            assertThat(step.waitFor())
                    .as("RUN %s (log in %s)", run, WORK.resolve("image-" + stage.name() + ".log"))
                    .isZero();
        }
        return stage.entrypoint().stream()
                .map(argument -> argument.equals("java") ? java : argument.replace("/app/", image + "/app/"))
                .toList();
    }

    private static Path inImage(Path image, String path) {
        return image.resolve(path.replaceFirst("^/", ""));
    }

    private static void awaitHealthy(StackProcess process, String base) {
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .failFast("a process exited", () -> assertRunning(process))
                .until(() -> status(base + "/actuator/health") == 200);
    }

    private static void assertRunning(StackProcess process) {
        if (!process.isAlive()) {
            throw new AssertionError("exited: " + process.tail());
        }
    }

    private static String executable(String name) {
        for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new AssertionError(name + " is not on the PATH: install Prometheus (Debian: apt-get install prometheus;"
                + " .ci/run does)");
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        System.out.print(output);
        return output;
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static int status(String url) {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static JsonNode get(String url) throws Exception {
        var response = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + apiKey)
                        .timeout(Duration.ofSeconds(90))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url + " " + response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
