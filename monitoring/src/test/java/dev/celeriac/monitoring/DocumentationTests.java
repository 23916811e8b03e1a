package dev.celeriac.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The operator documentation keeps up with the meters and alerts. */
class DocumentationTests {

    @Test
    void metricsGuideListsEveryMeterTheCodeRegisters() {
        String guide = Repository.read("docs/metrics.md");
        for (String meter : PromQl.meters()) {
            assertThat(guide).as(meter).containsPattern("`" + meter + "(_total|_seconds)?`");
        }
    }

    @Test
    void metricsAndOperationsGuidesExplainEveryAlert() {
        String metrics = Repository.read("docs/metrics.md");
        String operations = Repository.read("docs/operations.md");
        for (AlertRules.Rule rule : AlertRules.load()) {
            assertThat(metrics).as(rule.alert()).contains("`" + rule.alert() + "`");
            assertThat(operations).as(rule.alert()).contains("### `" + rule.alert() + "`");
        }
    }
}
