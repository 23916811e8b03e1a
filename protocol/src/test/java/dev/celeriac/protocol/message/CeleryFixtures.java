package dev.celeriac.protocol.message;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Messages captured from a real Celery 5 client by {@code src/test/celery/capture_fixtures.py}. */
public final class CeleryFixtures {

    public static final List<String> CASES = List.of(
            "args-only",
            "kwargs-only",
            "countdown",
            "eta-and-expires",
            "expires-seconds",
            "priority",
            "unicode",
            "nested-json",
            "time-limits",
            "reply-to-and-ids",
            "ignore-result",
            "chain",
            "callbacks-errbacks");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public record Fixture(
            String name,
            String exchange,
            String routingKey,
            TaskProperties properties,
            Map<String, Object> headers,
            byte[] body) {}

    private CeleryFixtures() {}

    /** The committed fixture of the given case. */
    public static Fixture load(String name) {
        try (InputStream in = CeleryFixtures.class.getResourceAsStream("/fixtures/celery/" + name + ".json")) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + name);
            }
            return load(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fixture from its JSON text, as the capture script writes it. */
    static Fixture load(String json, String name) {
        Map<String, Object> raw = JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
        @SuppressWarnings("unchecked")
        var props = (Map<String, Object>) raw.get("properties");
        @SuppressWarnings("unchecked")
        var headers = (Map<String, Object>) raw.get("headers");
        var properties = new TaskProperties(
                (String) props.get("content_type"),
                (String) props.get("content_encoding"),
                (String) props.get("correlation_id"),
                (String) props.get("reply_to"),
                (Integer) props.get("priority"),
                Integer.valueOf(2).equals(props.get("delivery_mode")),
                (String) props.get("expiration"));
        return new Fixture(
                name,
                (String) raw.get("exchange"),
                (String) raw.get("routing_key"),
                properties,
                headers,
                Base64.getDecoder().decode((String) raw.get("body_base64")));
    }
}
