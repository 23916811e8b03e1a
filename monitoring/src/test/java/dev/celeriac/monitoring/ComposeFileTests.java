package dev.celeriac.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docker-compose.yml and the Dockerfile describe the stack the README and docs/operations.md promise. */
class ComposeFileTests {

    private final ComposeFile compose = ComposeFile.load();
    private final Dockerfile dockerfile = Dockerfile.load();

    @Test
    void runsTheWholeStackAndTwoMoreBrokerNodesWithTheClusterProfile() {
        assertThat(compose.services().keySet())
                .containsExactlyInAnyOrder(
                        "rabbitmq", "rabbitmq-2", "rabbitmq-3", "postgres", "api", "worker", "prometheus", "grafana");
        assertThat(compose.services())
                .allSatisfy((name, service) -> assertThat(service.get("profiles"))
                        .as(name)
                        .isEqualTo(name.matches("rabbitmq-\\d") ? List.of("cluster") : null));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theClusterNodesJoinTheFirstNodeWithOneCookieAndKeepDataOfTheirOwn() {
        List<String> nodes = List.of("rabbitmq", "rabbitmq-2", "rabbitmq-3");
        String cookie = compose.dotenv().get("RABBITMQ_ERLANG_COOKIE");
        assertThat(cookie).hasSizeGreaterThanOrEqualTo(20);
        var dataVolumes = new HashSet<String>();
        for (String node : nodes) {
            var service = compose.service(node);
            assertThat(service.get("hostname")).as(node).isEqualTo(node);
            assertThat(compose.environment(node)).as(node).containsEntry("RABBITMQ_ERLANG_COOKIE", cookie);
            assertThat(service.get("image"))
                    .as(node)
                    .isEqualTo(compose.service("rabbitmq").get("image"));
            assertThat(service).as(node).containsKey("healthcheck");
            var volumes = (List<String>) service.get("volumes");
            assertThat(volumes).as(node).contains("./broker-config/rabbitmq.conf:/etc/rabbitmq/rabbitmq.conf:ro");
            volumes.stream()
                    .filter(v -> v.endsWith(":/var/lib/rabbitmq"))
                    .forEach(v -> assertThat(dataVolumes.add(v))
                            .as("%s has a data volume of its own", node)
                            .isTrue());
            if (!node.equals("rabbitmq")) {
                assertThat(volumes)
                        .as(node)
                        .contains("./broker-config/cluster.conf:/etc/rabbitmq/conf.d/20-cluster.conf:ro");
                assertThat(dependsOn(node)).as(node).containsEntry("rabbitmq", "service_healthy");
            }
        }
        assertThat(dataVolumes).hasSize(3);
        assertThat(settings("broker-config/cluster.conf"))
                .containsExactly(
                        "cluster_formation.peer_discovery_backend = classic_config",
                        "cluster_formation.classic_config.nodes.1 = rabbit@rabbitmq");
        assertThat(settings("broker-config/rabbitmq.conf"))
                .contains(
                        "quorum_queue.continuous_membership_reconciliation.enabled = true",
                        "quorum_queue.continuous_membership_reconciliation.target_group_size = " + nodes.size());
        assertThat(Repository.read(".env.example"))
                .as("the addresses to set for the cluster profile")
                .contains(String.join(",", nodes.stream().map(n -> n + ":5672").toList()));
    }

    @Test
    void everyVariableComesFromTheDocumentedEnvFile() {
        var variables = compose.variables(Repository.read("docker-compose.yml"));
        assertThat(compose.dotenv().keySet()).containsAll(variables);
        assertThat(Repository.read(".gitignore").lines()).contains(".env");
    }

    @Test
    void refusesToStartWithoutItsSecrets() {
        var withoutPassword = new LinkedHashMap<>(compose.dotenv());
        withoutPassword.remove("RABBITMQ_PASSWORD");
        var incomplete = new ComposeFile(Repository.read("docker-compose.yml"), withoutPassword);
        assertThatThrownBy(() -> incomplete.environment("rabbitmq"))
                .hasMessageContaining("RABBITMQ_PASSWORD")
                .hasMessageContaining(".env");
    }

    @Test
    @SuppressWarnings("unchecked")
    void brokerRunsFromBrokerConfigWithItsOwnUserAndNoGuest() {
        var rabbitmq = compose.service("rabbitmq");
        assertThat(rabbitmq.get("image").toString()).startsWith("rabbitmq:").endsWith("-management");
        assertThat((List<String>) rabbitmq.get("volumes"))
                .contains(
                        "./broker-config/rabbitmq.conf:/etc/rabbitmq/rabbitmq.conf:ro",
                        "./broker-config/enabled_plugins:/etc/rabbitmq/enabled_plugins:ro");
        var environment = compose.environment("rabbitmq");
        assertThat(environment.get("RABBITMQ_DEFAULT_USER"))
                .isEqualTo(compose.dotenv().get("RABBITMQ_USER"));
        assertThat(environment.get("RABBITMQ_DEFAULT_USER")).isNotEqualTo("guest");
        assertThat(environment.get("RABBITMQ_DEFAULT_PASS"))
                .isEqualTo(compose.dotenv().get("RABBITMQ_PASSWORD"));
        assertThat(Repository.read("broker-config/enabled_plugins"))
                .contains("rabbitmq_management")
                .contains("rabbitmq_prometheus");
    }

    @Test
    @SuppressWarnings("unchecked")
    void apiAndWorkerReachTheBrokerAndLedgerAsTheComposeUserAndWaitForThem() {
        for (String service : List.of("api", "worker")) {
            var environment = compose.environment(service);
            assertThat(environment.get("SPRING_RABBITMQ_ADDRESSES"))
                    .as(service)
                    .isEqualTo(compose.dotenv().get("RABBITMQ_ADDRESSES"))
                    .isEqualTo("rabbitmq:5672");
            assertThat(environment.get("SPRING_RABBITMQ_USERNAME"))
                    .as(service)
                    .isEqualTo(compose.dotenv().get("RABBITMQ_USER"));
            assertThat(dependsOn(service))
                    .as(service)
                    .containsEntry("rabbitmq", "service_healthy")
                    .containsEntry("rabbitmq-2", "service_healthy")
                    .containsEntry("rabbitmq-3", "service_healthy");
            var clusterNodes =
                    (Map<String, Map<String, Object>>) compose.service(service).get("depends_on");
            assertThat(clusterNodes.get("rabbitmq-2")).as(service).containsEntry("required", false);
            assertThat(clusterNodes.get("rabbitmq-3")).as(service).containsEntry("required", false);
        }
        assertThat(compose.environment("api").get("SPRING_DATASOURCE_URL"))
                .isEqualTo("jdbc:postgresql://postgres:5432/"
                        + compose.environment("postgres").get("POSTGRES_DB"));
        assertThat(dependsOn("api")).containsEntry("postgres", "service_healthy");
        assertThat(dependsOn("grafana")).containsEntry("prometheus", "service_healthy");
    }

    @Test
    void workersScaleWithoutFixedNamesOrHostPortsAndDrainBeforeTheyAreKilled() {
        var worker = compose.service("worker");
        assertThat(worker).doesNotContainKeys("container_name", "ports", "hostname");
        long stopGrace = seconds(worker.get("stop_grace_period").toString());
        long drainGrace = seconds(compose.environment("worker").get("CELERIAC_WORKER_SHUTDOWN_GRACE"));
        assertThat(stopGrace).isGreaterThan(drainGrace);
    }

    @Test
    void everyServiceChecksItsHealth() {
        for (String service : List.of("rabbitmq", "postgres", "prometheus", "grafana")) {
            assertThat(compose.service(service)).as(service).containsKey("healthcheck");
        }
        for (String stage : List.of("api", "worker")) {
            assertThat(dockerfile.stage(stage).all("HEALTHCHECK"))
                    .as(stage)
                    .singleElement()
                    .asString()
                    .contains("/actuator/health");
        }
    }

    @Test
    void imagesAreBuiltFromSourceOnTemurin25AndRunAsAnUnprivilegedUser() {
        Dockerfile.Stage build = dockerfile.stage("build");
        assertThat(build.from()).isEqualTo("eclipse-temurin:25-jdk");
        assertThat(build.all("RUN").getLast()).contains("./mvnw").contains("package");
        for (String stage : List.of("api", "worker")) {
            var lineage = dockerfile.lineage(stage);
            assertThat(lineage.getLast().from()).as(stage).isEqualTo("eclipse-temurin:25-jre");
            List<String> users =
                    lineage.stream().flatMap(s -> s.all("USER").stream()).toList();
            assertThat(users).as(stage).isNotEmpty().noneMatch(u -> u.startsWith("root") || u.startsWith("0"));
            assertThat(dockerfile.stage(stage).entrypoint())
                    .as(stage)
                    .contains("-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError");
            // The API's image carries the command line beside it, for docker exec and kubectl exec.
            assertThat(dockerfile.stage(stage).copiedFromStages().values())
                    .as(stage)
                    .containsExactlyElementsOf(
                            stage.equals("api")
                                    ? List.of("/src/api/target/celeriac-api.jar", "/src/cli/target/celeriac-cli.jar")
                                    : List.of("/src/worker/target/celeriac-worker.jar"));
            Map<String, Object> build1 =
                    (Map<String, Object>) compose.service(stage).get("build");
            assertThat(build1).as(stage).containsEntry("context", ".").containsEntry("target", stage);
        }
    }

    @Test
    void theWorkerStartsFromAnAotCacheTrainedInItsOwnImageWithItsOwnFlags() {
        Dockerfile.Stage worker = dockerfile.stage("worker");
        List<String> entrypoint = worker.entrypoint();
        String cache = "/app/worker/celeriac-worker.aot";
        // ./celeriac worker starts it as the image does, with the same flags.
        List<String> flags = Repository.read("celeriac")
                .lines()
                .filter(line -> line.startsWith("worker_flags=("))
                .map(line -> List.of(line.substring("worker_flags=(".length(), line.indexOf(')'))
                        .split(" ")))
                .findFirst()
                .orElseThrow();
        assertThat(flags).contains("-XX:+UseSerialGC", "-XX:TrimNativeHeapInterval=5000");
        assertThat(entrypoint).containsAll(flags);
        assertThat(entrypoint)
                .contains("-XX:AOTCache=" + cache, "-XX:+UseSerialGC")
                .containsSubsequence("-jar", "/app/worker/celeriac-worker.jar");
        assertThat(worker.all("RUN"))
                .as("the training run, in the stage whose JVM and class path run the cache")
                .anySatisfy(run -> assertThat(run)
                        .contains("extract --destination /app/worker")
                        .contains("-XX:AOTCacheOutput=" + cache)
                        .contains(String.join(" ", flags))
                        .contains("-Dspring.context.exit=onRefresh")
                        .contains("-jar /app/worker/celeriac-worker.jar"));
    }

    @Test
    void theBuildStageHasEveryModuleOfTheReactor() {
        var modules = Pattern.compile("<module>([^<]+)</module>")
                .matcher(Repository.read("pom.xml"))
                .results()
                .map(m -> m.group(1))
                .toList();
        assertThat(modules).contains("api", "worker", "monitoring", "bench");
        List<String> copies = dockerfile.stage("build").all("COPY");
        for (String module : modules) {
            assertThat(copies)
                    .as("the build stage copies module %s (or at least its pom)", module)
                    .anyMatch(c ->
                            c.equals(module + "/ " + module + "/") || c.equals(module + "/pom.xml " + module + "/"));
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> dependsOn(String service) {
        var result = new LinkedHashMap<String, String>();
        ((Map<String, Map<String, Object>>) compose.service(service).get("depends_on"))
                .forEach((name, settings) -> result.put(name, String.valueOf(settings.get("condition"))));
        return result;
    }

    private static List<String> settings(String file) {
        return Repository.read(file)
                .lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .toList();
    }

    private static long seconds(String duration) {
        assertThat(duration).matches("\\d+s");
        return Long.parseLong(duration.substring(0, duration.length() - 1));
    }
}
