package dev.celeriac.testsupport.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

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
        var request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
