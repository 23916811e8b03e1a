package dev.celeriac.cli.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;

/** Calls the REST API with the key; an answer other than 2xx becomes an {@link ApiException} with its detail. */
public final class ApiClient {

    /** Longest a call waits for its answer (a {@code ?wait=60} included). */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(75);

    private final URI base;
    private final String key;
    private final HttpClient http;

    ApiClient(URI base, String key) {
        this.base = base;
        this.key = key;
        this.http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** The API's address. */
    public URI base() {
        return base;
    }

    public JsonNode get(String path) {
        return send("GET", path, null);
    }

    public JsonNode post(String path, JsonNode body) {
        return send("POST", path, body);
    }

    /** A POST with an {@code Idempotency-Key}: sent again with the same key, it does the same thing once. */
    public JsonNode post(String path, JsonNode body, String idempotencyKey) {
        return send("POST", path, body, idempotencyKey);
    }

    public JsonNode put(String path, JsonNode body) {
        return send("PUT", path, body);
    }

    public JsonNode delete(String path) {
        return send("DELETE", path, null);
    }

    private JsonNode send(String method, String path, JsonNode body) {
        return send(method, path, body, null);
    }

    private JsonNode send(String method, String path, JsonNode body, String idempotencyKey) {
        var request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(ANSWER_TIMEOUT)
                .header("Accept", "application/json")
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body)));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        HttpResponse<String> answer;
        try {
            answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw new ApiException(0, null, "the API at " + base + " cannot be reached (" + describe(e) + ")");
        } catch (HttpTimeoutException e) {
            throw new ApiException(
                    0, null, "the API at " + base + " did not answer in " + ANSWER_TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            throw new ApiException(0, null, "the call to " + base + " failed: " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, null, "interrupted");
        }
        JsonNode parsed = parse(answer.body());
        int status = answer.statusCode();
        if (status >= 200 && status < 300) {
            return parsed;
        }
        String detail = parsed.path("detail").asString(null);
        if (detail == null) {
            detail = status == 401
                    ? "no API key, or one the API does not know: give --key, CELERIAC_API_KEY or key= in the config file"
                    : "the API answered " + status;
        } else if (status == 401) {
            detail = "the API does not know this key (" + detail + ")";
        }
        throw new ApiException(status, parsed.path("type").asString(null), detail);
    }

    private static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return NullNode.getInstance();
        }
        try {
            return Json.MAPPER.readTree(text);
        } catch (JacksonException e) {
            return NullNode.getInstance();
        }
    }

    private static String describe(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
