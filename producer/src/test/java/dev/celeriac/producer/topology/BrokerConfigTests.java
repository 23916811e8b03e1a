package dev.celeriac.producer.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.protocol.topology.DelayLadder;
import dev.celeriac.protocol.topology.Topology;
import dev.celeriac.protocol.topology.WorkQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import tools.jackson.databind.JsonNode;

/** broker-config/ agrees with the topology the code declares by default. */
class BrokerConfigTests {

    private static Topology defaultTopology() {
        TopologyProperties properties = new Binder(new MapConfigurationPropertySource())
                .bindOrCreate("celeriac.topology", Bindable.of(TopologyProperties.class));
        return properties.topology();
    }

    @Test
    void shipsDefinitionsThatAreExactlyTheDefaultTopology() throws Exception {
        JsonNode expected = BrokerDefinitions.of(defaultTopology(), "/");
        JsonNode shipped = BrokerDefinitions.shipped();
        assertThat(shipped)
                .as(
                        "broker-config/definitions.json; expected:%n%s",
                        BrokerDefinitions.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(expected))
                .isEqualTo(expected);
    }

    @Test
    void bindsTheSameDefaultsAsTheProtocolDeclares() {
        assertThat(defaultTopology()).isEqualTo(Topology.of(List.of(WorkQueue.quorum("default")), DelayLadder.DEFAULT));
    }

    @Test
    void enablesTheManagementAndPrometheusPlugins() throws Exception {
        String plugins = Files.readString(Path.of("..", "broker-config", "enabled_plugins"))
                .strip();
        assertThat(plugins).startsWith("[").endsWith("].").contains("rabbitmq_management", "rabbitmq_prometheus");
    }

    @Test
    void configuresTheBrokerForTasksThatAreAckedAfterTheyRun() throws Exception {
        List<String> settings = Files.readAllLines(Path.of("..", "broker-config", "rabbitmq.conf")).stream()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .toList();
        assertThat(settings)
                .contains("loopback_users.guest = true", "prometheus.return_per_object_metrics = true")
                .noneMatch(line -> line.startsWith("load_definitions"));
        long consumerTimeout = settings.stream()
                .filter(line -> line.startsWith("consumer_timeout"))
                .map(line -> Long.parseLong(line.split("=")[1].strip()))
                .findFirst()
                .orElseThrow();
        assertThat(consumerTimeout)
                .as("longer than RabbitMQ's 30 minute default")
                .isGreaterThan(1_800_000L);
    }
}
