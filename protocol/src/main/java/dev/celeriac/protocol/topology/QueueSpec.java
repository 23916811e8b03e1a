package dev.celeriac.protocol.topology;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A durable queue and the exact arguments every component declares it with (RabbitMQ refuses a re-declaration with
 * other arguments, and tells {@code long} from {@code int}: numbers here are {@link Integer}s, as Python clients send).
 *
 * @param name queue name
 * @param arguments {@code x-} arguments, in a stable order
 */
public record QueueSpec(String name, Map<String, Object> arguments) {

    public QueueSpec {
        arguments = Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
    }
}
