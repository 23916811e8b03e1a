package dev.celeriac.monitoring;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml as Compose reads it: services with their settings, and {@code ${VAR}} references resolved from
 * a dotenv file the way Compose resolves them ({@code ${VAR}}, {@code ${VAR:-default}}, {@code ${VAR-default}},
 * {@code ${VAR:?error}}, {@code $$} for a literal dollar).
 */
final class ComposeFile {

    private static final Pattern REFERENCE =
            Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}");

    private final Map<String, Object> document;
    private final Map<String, String> dotenv;

    ComposeFile(String yaml, Map<String, String> dotenv) {
        this.document = new Yaml().load(yaml);
        this.dotenv = dotenv;
    }

    /** The repository's compose file with the values of .env.example. */
    static ComposeFile load() {
        return new ComposeFile(Repository.read("docker-compose.yml"), dotenv(Repository.read(".env.example")));
    }

    static Map<String, String> dotenv(String text) {
        var values = new LinkedHashMap<String, String>();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            int equals = trimmed.indexOf('=');
            if (equals < 1) {
                throw new IllegalArgumentException("not a dotenv line: " + line);
            }
            values.put(trimmed.substring(0, equals), trimmed.substring(equals + 1));
        }
        return values;
    }

    Map<String, String> dotenv() {
        return dotenv;
    }

    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> services() {
        return (Map<String, Map<String, Object>>) document.get("services");
    }

    Map<String, Object> service(String name) {
        Map<String, Object> service = services().get(name);
        if (service == null) {
            throw new AssertionError("docker-compose.yml has no service " + name);
        }
        return service;
    }

    Object top(String key) {
        return document.get(key);
    }

    /** A service's environment, interpolated. */
    @SuppressWarnings("unchecked")
    Map<String, String> environment(String service) {
        var result = new LinkedHashMap<String, String>();
        Object environment = service(service).get("environment");
        if (environment instanceof Map<?, ?> map) {
            ((Map<String, Object>) map).forEach((k, v) -> result.put(k, interpolate(String.valueOf(v))));
        } else if (environment instanceof List<?> list) {
            for (Object entry : list) {
                String text = String.valueOf(entry);
                int equals = text.indexOf('=');
                result.put(text.substring(0, equals), interpolate(text.substring(equals + 1)));
            }
        }
        return result;
    }

    /** A service's {@code command} as a list of arguments, interpolated. */
    @SuppressWarnings("unchecked")
    List<String> command(String service) {
        Object command = service(service).get("command");
        if (!(command instanceof List<?> list)) {
            throw new AssertionError("service " + service + " must give its command as a list");
        }
        return ((List<Object>) list)
                .stream().map(a -> interpolate(String.valueOf(a))).toList();
    }

    /** The names of every variable the file refers to. */
    List<String> variables(String yaml) {
        Matcher m = REFERENCE.matcher(yaml);
        var names = new TreeSet<String>();
        while (m.find()) {
            if (m.group(1) != null) {
                names.add(m.group(1));
            }
        }
        return List.copyOf(names);
    }

    String interpolate(String value) {
        Matcher m = REFERENCE.matcher(value);
        var out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group(1) == null) {
                replacement = "$";
            } else {
                String name = m.group(1);
                String operator = m.group(2);
                String set = dotenv.get(name);
                boolean colon = operator != null && operator.startsWith(":");
                boolean missing = set == null || (colon && set.isEmpty());
                if (operator == null) {
                    replacement = set == null ? "" : set;
                } else if (operator.endsWith("-")) {
                    replacement = missing ? m.group(3) : set;
                } else if (missing) {
                    throw new IllegalStateException("compose refuses to start: " + name + ": " + m.group(3));
                } else {
                    replacement = set;
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }
}
