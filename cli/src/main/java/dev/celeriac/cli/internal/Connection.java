package dev.celeriac.cli.internal;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * Where the API is and which key to send, from (first that says) the options, the environment
 * ({@code CELERIAC_URL}, {@code CELERIAC_API_KEY}), or the configuration file ({@code url=} and {@code key=} lines in
 * {@code $XDG_CONFIG_HOME/celeriac/cli.properties}, by default {@code ~/.config/celeriac/cli.properties}).
 */
public final class Connection {

    /** The API's address when nothing says otherwise: the one {@code ./celeriac run} starts. */
    public static final String DEFAULT_URL = "http://localhost:8080";

    public static final String URL_VARIABLE = "CELERIAC_URL";
    public static final String KEY_VARIABLE = "CELERIAC_API_KEY";
    public static final String CONFIG_VARIABLE = "CELERIAC_CONFIG";

    @Option(
            names = "--url",
            paramLabel = "URL",
            description = "The API's address (env CELERIAC_URL, config url=; default " + DEFAULT_URL + ").")
    String url;

    @Option(
            names = "--key",
            paramLabel = "KEY",
            description =
                    "The API key (env CELERIAC_API_KEY, config key=). Prefer the environment: options show in ps.")
    String key;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "A properties file with url= and key= (env CELERIAC_CONFIG;"
                    + " default ~/.config/celeriac/cli.properties).")
    Path config;

    /** A client for the API these settings name. */
    public ApiClient client() {
        return client(System.getenv());
    }

    ApiClient client(Map<String, String> environment) {
        Properties file = file(environment);
        String address = first(url, environment.get(URL_VARIABLE), file.getProperty("url"), DEFAULT_URL);
        String secret = first(key, environment.get(KEY_VARIABLE), file.getProperty("key"), null);
        URI base;
        try {
            base = URI.create(address.endsWith("/") ? address.substring(0, address.length() - 1) : address);
            if (base.getScheme() == null || base.getHost() == null) {
                throw new IllegalArgumentException("no scheme or host");
            }
        } catch (IllegalArgumentException e) {
            throw new ApiException(0, null, "the API's address '" + address + "' is not a URL such as " + DEFAULT_URL);
        }
        return new ApiClient(base, secret);
    }

    private Properties file(Map<String, String> environment) {
        Path path = config;
        if (path == null && environment.get(CONFIG_VARIABLE) != null) {
            path = Path.of(environment.get(CONFIG_VARIABLE));
        }
        boolean named = path != null;
        if (path == null) {
            String home = environment.getOrDefault("XDG_CONFIG_HOME", System.getProperty("user.home") + "/.config");
            path = Path.of(home, "celeriac", "cli.properties");
        }
        var properties = new Properties();
        if (!Files.exists(path)) {
            if (named) {
                throw new ApiException(0, null, "the configuration file " + path + " does not exist");
            }
            return properties;
        }
        try (Reader reader = Files.newBufferedReader(path)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new ApiException(0, null, "could not read " + path + ": " + e.getMessage());
        }
        return properties;
    }

    private static String first(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value.strip();
            }
        }
        return null;
    }
}
