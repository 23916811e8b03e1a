package dev.celeriac.cli.commands;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Parts of the API's addresses, encoded. */
final class ApiPaths {

    private ApiPaths() {}

    /** A path segment, encoded (a task id or a worker's name may hold characters a URL may not). */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code &name=value}, or nothing when the value is absent. */
    static String param(String name, Object value) {
        return value == null ? "" : "&" + name + "=" + segment(String.valueOf(value));
    }
}
