package dev.celeriac.producer.topology;

import dev.celeriac.protocol.topology.BindingSpec;
import dev.celeriac.protocol.topology.ExchangeSpec;
import dev.celeriac.protocol.topology.QueueSpec;
import dev.celeriac.protocol.topology.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** RabbitMQ definitions (the {@code rabbitmqctl export_definitions} format) of a topology, and the shipped file. */
final class BrokerDefinitions {

    static final Path FILE = Path.of("..", "broker-config", "definitions.json");
    static final JsonMapper JSON = JsonMapper.builder().build();

    private BrokerDefinitions() {}

    static JsonNode shipped() throws Exception {
        return JSON.readTree(Files.readAllBytes(FILE));
    }

    static ObjectNode of(Topology topology, String vhost) {
        ObjectNode root = JSON.createObjectNode();
        root.putArray("vhosts").addObject().put("name", vhost);
        ArrayNode exchanges = root.putArray("exchanges");
        for (ExchangeSpec exchange : topology.exchanges()) {
            exchanges
                    .addObject()
                    .put("name", exchange.name())
                    .put("vhost", vhost)
                    .put("type", exchange.type())
                    .put("durable", true)
                    .put("auto_delete", false)
                    .put("internal", false)
                    .putObject("arguments");
        }
        ArrayNode queues = root.putArray("queues");
        for (QueueSpec queue : topology.queues()) {
            ObjectNode q = queues.addObject()
                    .put("name", queue.name())
                    .put("vhost", vhost)
                    .put("durable", true)
                    .put("auto_delete", false);
            q.set("arguments", JSON.valueToTree(queue.arguments()));
        }
        ArrayNode bindings = root.putArray("bindings");
        for (BindingSpec binding : topology.bindings()) {
            bindings.addObject()
                    .put("source", binding.exchange())
                    .put("vhost", vhost)
                    .put("destination", binding.queue())
                    .put("destination_type", "queue")
                    .put("routing_key", binding.routingKey())
                    .putObject("arguments");
        }
        return root;
    }
}
