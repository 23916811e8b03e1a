package dev.celeriac.deploy;

import java.util.List;
import java.util.Map;

/** Reads a value at a path of keys out of a parsed YAML object ({@code null} where the path ends early). */
final class Paths {

    private Paths() {}

    static Object get(Object node, String... keys) {
        Object current = node;
        for (String key : keys) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node, String... keys) {
        Object value = get(node, keys);
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object node, String... keys) {
        Object value = get(node, keys);
        return value instanceof List<?> list ? (List<Object>) list : List.of();
    }

    /** The first container of a workload's pod template. */
    static Map<String, Object> container(Map<String, Object> workload) {
        List<Object> containers = list(workload, "spec", "template", "spec", "containers");
        if (containers.isEmpty()) {
            throw new AssertionError("no container in " + get(workload, "metadata", "name"));
        }
        return map(containers.getFirst());
    }

    /** A container's environment variable set by value ({@code null} if it is not, or comes from elsewhere). */
    static String env(Map<String, Object> container, String name) {
        return list(container, "env").stream()
                .map(Paths::map)
                .filter(variable -> name.equals(variable.get("name")))
                .map(variable -> variable.get("value"))
                .map(value -> value == null ? null : value.toString())
                .findFirst()
                .orElse(null);
    }
}
