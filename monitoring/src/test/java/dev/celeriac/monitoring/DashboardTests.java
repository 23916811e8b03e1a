package dev.celeriac.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;

/** The dashboards are well-formed Grafana JSON, on the provisioned datasource, about meters that exist. */
class DashboardTests {

    private static final Pattern VARIABLE = Pattern.compile("\\$(\\w+)");
    private static final Set<String> GRAFANA_VARIABLES = Set.of("__rate_interval", "__range", "__interval");

    @Test
    void provisionsAnOverviewAndAPerTaskDashboardWithUniqueIds() {
        var uids = new HashSet<String>();
        for (Path file : Dashboards.files()) {
            JsonNode dashboard = Dashboards.read(file);
            assertThat(uids.add(dashboard.get("uid").asString())).isTrue();
            assertThat(file.getFileName().toString())
                    .isEqualTo(dashboard.get("uid").asString() + ".json");
            assertThat(dashboard.get("title").asString()).isNotBlank();
            assertThat(dashboard.get("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
        }
        assertThat(uids).containsExactlyInAnyOrder("celeriac-overview", "celeriac-task");
    }

    @Test
    void overviewShowsWhatOperatorsWatch() {
        JsonNode overview = Dashboards.read(Dashboards.DIRECTORY.resolve("celeriac-overview.json"));
        List<String> titles = Dashboards.panels(overview).stream()
                .map(p -> p.get("title").asString())
                .toList();
        assertThat(titles)
                .contains(
                        "Throughput by task and outcome",
                        "Success ratio",
                        "Run time p50 / p95 / p99",
                        "Queue wait p50 / p95 / p99",
                        "Queue depth",
                        "Dead letters per queue",
                        "Retries",
                        "Workers up",
                        "Pool utilisation",
                        "Rate-limited task types: runs, limit and tasks held back");
        JsonNode runtime = Dashboards.panels(overview).stream()
                .filter(p -> p.get("title").asString().startsWith("Run time"))
                .findFirst()
                .orElseThrow();
        assertThat(runtime.get("targets").toString()).contains("histogram_quantile(0.5,", "(0.95,", "(0.99,");
    }

    @Test
    void perTaskDashboardIsDrivenByTheTaskVariable() {
        JsonNode task = Dashboards.read(Dashboards.DIRECTORY.resolve("celeriac-task.json"));
        JsonNode variable = task.get("templating").get("list").get(0);
        assertThat(variable.get("name").asString()).isEqualTo("task");
        assertThat(variable.get("type").asString()).isEqualTo("query");
        assertThat(variable.get("definition").asString())
                .isEqualTo("label_values(celeriac_tasks_completed_total, task)");
        for (JsonNode panel : Dashboards.panels(task)) {
            for (JsonNode target : panel.get("targets")) {
                assertThat(target.get("expr").asString())
                        .as("panel %s", panel.get("title").asString())
                        .contains("task=\"$task\"");
            }
        }
    }

    @Test
    void everyPanelQueriesTheProvisionedDatasourceWithUniqueIdsAndRefIds() {
        String datasourceUid = provisionedDatasourceUid();
        for (Path file : Dashboards.files()) {
            JsonNode dashboard = Dashboards.read(file);
            var ids = new HashSet<Integer>();
            for (JsonNode panel : Dashboards.panels(dashboard)) {
                String where = file.getFileName() + " / " + panel.get("title").asString();
                assertThat(ids.add(panel.get("id").asInt())).as(where).isTrue();
                assertThat(panel.get("type").asString()).as(where).isIn("timeseries", "stat");
                assertThat(panel.get("description").asString()).as(where).isNotBlank();
                assertThat(panel.get("datasource").get("uid").asString())
                        .as(where)
                        .isEqualTo(datasourceUid);
                assertThat(panel.get("targets")).as(where).isNotEmpty();
                var refIds = new HashSet<String>();
                for (JsonNode target : panel.get("targets")) {
                    assertThat(target.get("expr").asString()).as(where).isNotBlank();
                    assertThat(refIds.add(target.get("refId").asString()))
                            .as(where)
                            .isTrue();
                    assertThat(target.get("datasource").get("uid").asString())
                            .as(where)
                            .isEqualTo(datasourceUid);
                }
            }
        }
    }

    @Test
    void panelsFitTheGridWithoutOverlapping() {
        for (Path file : Dashboards.files()) {
            var placed = new ArrayList<int[]>();
            for (JsonNode panel : Dashboards.panels(Dashboards.read(file))) {
                JsonNode pos = panel.get("gridPos");
                int[] box = {
                    pos.get("x").asInt(),
                    pos.get("y").asInt(),
                    pos.get("w").asInt(),
                    pos.get("h").asInt()
                };
                String where = file.getFileName() + " / " + panel.get("title").asString();
                assertThat(box[0] + box[2]).as(where).isLessThanOrEqualTo(24);
                assertThat(box[2]).as(where).isPositive();
                assertThat(box[3]).as(where).isPositive();
                for (int[] other : placed) {
                    boolean overlaps = box[0] < other[0] + other[2]
                            && other[0] < box[0] + box[2]
                            && box[1] < other[1] + other[3]
                            && other[1] < box[1] + box[3];
                    assertThat(overlaps).as(where).isFalse();
                }
                placed.add(box);
            }
        }
    }

    @Test
    void queriesUseOnlyDefinedVariablesAndMetersTheCodeRegisters() {
        Set<String> meters = PromQl.meters();
        for (Path file : Dashboards.files()) {
            JsonNode dashboard = Dashboards.read(file);
            var defined = new HashSet<>(GRAFANA_VARIABLES);
            dashboard
                    .get("templating")
                    .get("list")
                    .forEach(v -> defined.add(v.get("name").asString()));
            for (var query : Dashboards.queries()) {
                if (!query.dashboard().equals(dashboard.get("title").asString())) {
                    continue;
                }
                Matcher m = VARIABLE.matcher(query.expr());
                while (m.find()) {
                    assertThat(defined)
                            .as("%s / %s", query.dashboard(), query.panel())
                            .contains(m.group(1));
                }
                assertThat(meters)
                        .as("%s / %s", query.dashboard(), query.panel())
                        .containsAll(PromQl.metersIn(query.expr()));
            }
        }
    }

    @Test
    void provisioningLoadsTheDashboardsDirectoryTheComposeFileMounts() {
        Map<String, Object> provider = first(new Yaml()
                .<Map<String, Object>>load(Repository.read("monitoring/grafana/provisioning/dashboards/celeriac.yml"))
                .get("providers"));
        @SuppressWarnings("unchecked")
        String path =
                ((Map<String, Object>) provider.get("options")).get("path").toString();
        @SuppressWarnings("unchecked")
        List<String> volumes =
                (List<String>) ComposeFile.load().service("grafana").get("volumes");
        assertThat(volumes).contains("./monitoring/grafana/dashboards:" + path + ":ro");
        assertThat(volumes).contains("./monitoring/grafana/provisioning:/etc/grafana/provisioning:ro");

        Map<String, Object> datasource = first(new Yaml()
                .<Map<String, Object>>load(
                        Repository.read("monitoring/grafana/provisioning/datasources/prometheus.yml"))
                .get("datasources"));
        assertThat(datasource.get("url")).isEqualTo("http://prometheus:9090");
        assertThat(ComposeFile.load().services()).containsKey("prometheus");
    }

    static String provisionedDatasourceUid() {
        Map<String, Object> datasource = first(new Yaml()
                .<Map<String, Object>>load(
                        Repository.read("monitoring/grafana/provisioning/datasources/prometheus.yml"))
                .get("datasources"));
        return datasource.get("uid").toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> first(Object list) {
        return ((List<Map<String, Object>>) list).getFirst();
    }
}
