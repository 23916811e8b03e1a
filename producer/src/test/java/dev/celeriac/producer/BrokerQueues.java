package dev.celeriac.producer;

import dev.celeriac.testsupport.broker.RabbitBroker;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads queues and their typed arguments as the broker itself reports them. */
final class BrokerQueues {

    /** A queue argument with the AMQP type the broker stored it as, e.g. {@code signedint}. */
    record TypedArgument(String type, Object value) {}

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private BrokerQueues() {}

    static Map<String, Map<String, TypedArgument>> list(RabbitBroker broker, String vhost) {
        String json = broker.rabbitmqctl("list_queues", "-q", "-p", vhost, "--formatter", "json", "name", "arguments");
        var queues = new LinkedHashMap<String, Map<String, TypedArgument>>();
        for (JsonNode queue : JSON.readTree(json).values()) {
            var arguments = new LinkedHashMap<String, TypedArgument>();
            for (JsonNode argument : queue.get("arguments").values()) {
                JsonNode value = argument.get(2);
                arguments.put(
                        argument.get(0).stringValue(),
                        new TypedArgument(
                                argument.get(1).stringValue(),
                                value.isNumber() ? value.numberValue() : value.asString()));
            }
            queues.put(queue.get("name").stringValue(), arguments);
        }
        return queues;
    }

    /** The broker's view of arguments as a Celeriac topology writes them: Integer to signedint, String to longstr. */
    static Map<String, TypedArgument> expected(Map<String, Object> arguments) {
        var typed = new LinkedHashMap<String, TypedArgument>();
        arguments.forEach((name, value) -> typed.put(
                name,
                switch (value) {
                    case Integer i -> new TypedArgument("signedint", i);
                    case String s -> new TypedArgument("longstr", s);
                    default -> throw new IllegalArgumentException("unexpected argument type " + value);
                }));
        return typed;
    }

    static List<String> names(RabbitBroker broker, String vhost) {
        return List.copyOf(list(broker, vhost).keySet());
    }
}
