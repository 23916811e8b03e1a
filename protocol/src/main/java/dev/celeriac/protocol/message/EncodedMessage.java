package dev.celeriac.protocol.message;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A task message as it travels: AMQP properties, an AMQP header table and the body bytes.
 *
 * @param properties the AMQP properties
 * @param headers the AMQP headers; values are strings, numbers, booleans, lists, maps or {@code null}
 * @param body the UTF-8 JSON body
 */
public record EncodedMessage(TaskProperties properties, Map<String, Object> headers, byte[] body) {

    public EncodedMessage {
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(body, "body");
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(headers, "headers")));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EncodedMessage that
                && properties.equals(that.properties)
                && headers.equals(that.headers)
                && Arrays.equals(body, that.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(properties, headers, Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        // The body may hold personal data: it is left out of logs by default.
        return "EncodedMessage[properties=" + properties + ", headers=" + headers.keySet() + ", body=" + body.length
                + " bytes]";
    }
}
