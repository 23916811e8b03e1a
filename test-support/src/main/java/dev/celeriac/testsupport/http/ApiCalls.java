package dev.celeriac.testsupport.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** Calls of a running API with one key, as a script would make them: JSON in, the answer as it came. */
public final class ApiCalls {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String base;
    private final String key;

    public ApiCalls(String base, String key) {
        this.base = base;
        this.key = key;
    }

    /** The same API with another key. */
    public ApiCalls as(String otherKey) {
        return new ApiCalls(base, otherKey);
    }

    public String base() {
        return base;
    }

    /** Sends the request ({@code body} JSON, or {@code null} for none) and returns the answer, whatever its status. */
    public HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        return send(method, path, body, Map.of());
    }

    /** Sends the request with more headers (an {@code Idempotency-Key}, say). */
    public HttpResponse<String> send(String method, String path, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json");
        headers.forEach(request::header);
        request.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
