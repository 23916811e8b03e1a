package dev.celeriac.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The alert rules cover what operators must hear about, and say what it means. */
class AlertRulesTests {

    @Test
    void alertOnBacklogFailuresDeadLettersMissingWorkersAndRecorderLag() {
        List<String> names =
                AlertRules.load().stream().map(AlertRules.Rule::alert).toList();
        assertThat(names)
                .contains(
                        "CeleriacBacklogGrowing",
                        "CeleriacFailureRatioHigh",
                        "CeleriacDeadLettersAppeared",
                        "CeleriacNoWorkers",
                        "CeleriacRecorderLagging")
                .doesNotHaveDuplicates();
    }

    @Test
    void everyRuleHasASeveritySummaryAndDescriptionAndReadsMetersThatExist() {
        var meters = PromQl.meters();
        for (AlertRules.Rule rule : AlertRules.load()) {
            assertThat(rule.severity()).as(rule.alert()).isIn("info", "warning", "critical");
            assertThat(rule.summary()).as(rule.alert()).isNotBlank();
            assertThat(rule.description()).as(rule.alert()).isNotBlank();
            assertThat(meters).as(rule.alert()).containsAll(PromQl.metersIn(rule.expr()));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theScrapeConfigLoadsTheRulesAndScrapesEveryCeleriacService() {
        Map<String, Object> config = new Yaml().load(Repository.read("monitoring/prometheus/prometheus.yml"));
        assertThat((List<String>) config.get("rule_files")).containsExactly("alerts.yml");
        var jobs = ((List<Map<String, Object>>) config.get("scrape_configs"))
                .stream().map(j -> j.get("job_name")).toList();
        assertThat(jobs).contains("celeriac-api", "celeriac-worker", "rabbitmq");
    }
}
