package dev.celeriac.bench.reliability;

import dev.celeriac.bench.stack.JavaProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Plain HTTP calls to the API JVM of a scenario, with a key of the caller's choosing. */
final class Rest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final JavaProcess api;
    private final String authorization;

    /** Calls with {@code Authorization: Bearer <key>}. */
    Rest(JavaProcess api, String key) {
        this(api, key, true);
    }

    private Rest(JavaProcess api, String credentials, boolean bearer) {
        this.api = api;
        this.authorization = credentials == null ? null : bearer ? "Bearer " + credentials : credentials;
    }

    /** The same API with another key ({@code null}: no Authorization header). */
    Rest as(String otherKey) {
        return new Rest(api, otherKey, true);
    }

    /** The same API with this Authorization header as it stands (another scheme, say). */
    Rest asRaw(String header) {
        return new Rest(api, header, false);
    }

    HttpResponse<String> get(String path) {
        return send(request(path).GET());
    }

    HttpResponse<String> post(String path, String json) {
        return post(path, json, Map.of());
    }

    /** A POST with a JSON body and, unless {@code null}, an {@code Idempotency-Key}. */
    HttpResponse<String> post(String path, String json, String idempotencyKey) {
        return post(path, json, idempotencyKey == null ? Map.of() : Map.of("Idempotency-Key", idempotencyKey));
    }

    /** A POST with a JSON body and these extra headers. */
    HttpResponse<String> post(String path, String json, Map<String, String> headers) {
        var builder = request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(builder::header);
        return send(builder);
    }

    HttpResponse<String> delete(String path) {
        return send(request(path).DELETE());
    }

    /** Any method, with an optional JSON body. */
    HttpResponse<String> call(String method, String path, String json) {
        var body = json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json);
        return send(request(path).header("Content-Type", "application/json").method(method, body));
    }

    private HttpRequest.Builder request(String path) {
        var builder = HttpRequest.newBuilder(URI.create(api.base() + path)).timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder;
    }

    private static HttpResponse<String> send(HttpRequest.Builder builder) {
        try {
            return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    /** The body of a submit of {@code task} with positional {@code args} (JSON). */
    static String task(String task, String args) {
        return "{\"task\":\"" + task + "\",\"args\":" + args + "}";
    }
}
