package dev.celeriac.monitoring;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** The Prometheus alert rules of monitoring/prometheus/alerts.yml. */
final class AlertRules {

    record Rule(String alert, String expr, String severity, String summary, String description) {}

    private AlertRules() {}

    @SuppressWarnings("unchecked")
    static List<Rule> load() {
        Map<String, Object> document = new Yaml().load(Repository.read("monitoring/prometheus/alerts.yml"));
        var rules = new ArrayList<Rule>();
        for (Map<String, Object> group : (List<Map<String, Object>>) document.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                Map<String, String> labels = (Map<String, String>) rule.getOrDefault("labels", Map.of());
                Map<String, String> annotations = (Map<String, String>) rule.getOrDefault("annotations", Map.of());
                rules.add(new Rule(
                        (String) rule.get("alert"),
                        String.valueOf(rule.get("expr")),
                        labels.get("severity"),
                        annotations.get("summary"),
                        annotations.get("description")));
            }
        }
        return rules;
    }
}
