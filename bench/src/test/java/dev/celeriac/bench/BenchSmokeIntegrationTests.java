package dev.celeriac.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The harness runs every scenario end to end in its smallest configuration against the real broker, PostgreSQL and
 * worker and API JVMs, and writes its results. Only that it works is checked here: the figures of a smoke run on a
 * shared machine say nothing, and no figure is ever held to a target in a test.
 */
class BenchSmokeIntegrationTests {

    @Test
    void runsEveryScenarioAndWritesJsonAndHtmlResults(@TempDir Path results) throws Exception {
        Bench.main(new String[] {"--smoke", "--results=" + results, "--vhost=celeriac-bench-smoke"});

        Path json = Files.list(results)
                .filter(p -> p.toString().endsWith(".json"))
                .findFirst()
                .orElseThrow();
        JsonNode document = JsonMapper.builder().build().readTree(Files.readString(json));
        Set<String> scenarios = new HashSet<>();
        for (JsonNode figure : document.get("figures")) {
            scenarios.add(figure.get("scenario").asString());
            assertThat(figure.get("value").isNumber()).as(figure.toString()).isTrue();
        }
        assertThat(scenarios).containsExactlyInAnyOrderElementsOf(Options.ALL);
        assertThat(document.get("latencyMicros").has("submit → start")).isTrue();
        assertThat(document.get("latencyMicros").has("raw RabbitMQ publish → delivered"))
                .isTrue();
        assertThat(document.get("latencyMicros").has("POST /api/v1/tasks")).isTrue();
        String html = Files.readString(
                json.resolveSibling(json.getFileName().toString().replace(".json", ".html")));
        assertThat(html).contains("<svg").contains("raw RabbitMQ msg/s").contains("speed-up on 2 threads");
    }
}
