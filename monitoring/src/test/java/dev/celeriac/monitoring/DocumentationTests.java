package dev.celeriac.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The operator documentation keeps up with the meters, the alerts and the configuration properties. */
class DocumentationTests {

    /** The modules whose {@code celeriac.*} properties users set. */
    private static final List<String> CONFIGURED = List.of("producer", "worker", "api");

    /**
     * Every property in the configuration metadata that the build generates from the {@code @ConfigurationProperties}
     * records is in docs/configuration.md: a map-valued one by its keys ({@code celeriac.worker.queues.<name>.pool}).
     */
    @Test
    void configurationGuideListsEveryPropertyOfEveryModule() {
        String guide = Repository.read("docs/configuration.md");
        var mapper = JsonMapper.builder().build();
        var properties = new ArrayList<JsonNode>();
        for (String module : CONFIGURED) {
            String metadata = Repository.read(module + "/target/classes/META-INF/spring-configuration-metadata.json");
            mapper.readTree(metadata).path("properties").forEach(properties::add);
        }
        assertThat(properties).hasSizeGreaterThan(25);
        for (JsonNode property : properties) {
            String name = property.path("name").asString();
            if (property.path("type").asString().startsWith("java.util.Map<")) {
                assertThat(guide).as(name).contains("`" + name + ".<");
            } else {
                assertThat(guide).as(name).contains("`" + name + "`");
            }
        }
    }

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
