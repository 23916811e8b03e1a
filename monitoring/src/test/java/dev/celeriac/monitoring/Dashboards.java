package dev.celeriac.monitoring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The provisioned Grafana dashboards and the Prometheus queries of their panels. */
final class Dashboards {

    static final Path DIRECTORY = Repository.path("monitoring/grafana/dashboards");

    /** One query of one panel. */
    record PanelQuery(String dashboard, String panel, String refId, String expr) {

        /** The query as Grafana sends it, with its variables given. */
        String resolved(Map<String, String> variables) {
            String result = expr;
            // Longest names first, so $__rate_interval is not taken for a variable $__rate.
            var names = variables.keySet().stream()
                    .sorted(Comparator.comparingInt(String::length).reversed())
                    .toList();
            for (String name : names) {
                result = result.replace("$" + name, variables.get(name));
            }
            return result;
        }
    }

    private Dashboards() {}

    /** File name to parsed dashboard, in file-name order. */
    static List<Path> files() {
        try (Stream<Path> files = Files.list(DIRECTORY)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode read(Path file) {
        try {
            return JsonMapper.builder().build().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JsonNode> panels(JsonNode dashboard) {
        var panels = new ArrayList<JsonNode>();
        for (JsonNode panel : dashboard.get("panels")) {
            panels.add(panel);
            if (panel.has("panels")) {
                panel.get("panels").forEach(panels::add);
            }
        }
        return panels;
    }

    static List<PanelQuery> queries() {
        var queries = new ArrayList<PanelQuery>();
        for (Path file : files()) {
            JsonNode dashboard = read(file);
            for (JsonNode panel : panels(dashboard)) {
                if (!panel.has("targets")) {
                    continue;
                }
                for (JsonNode target : panel.get("targets")) {
                    queries.add(new PanelQuery(
                            dashboard.get("title").asString(),
                            panel.get("title").asString(),
                            target.path("refId").asString(),
                            target.path("expr").asString()));
                }
            }
        }
        return queries;
    }
}
