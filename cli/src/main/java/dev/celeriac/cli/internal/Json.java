package dev.celeriac.cli.internal;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.StringNode;

/** JSON as the command line reads and writes it. */
public final class Json {

    /** The one mapper. */
    public static final JsonMapper MAPPER =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /** The mapper for one-line JSON. */
    private static final JsonMapper COMPACT = JsonMapper.builder().build();

    private Json() {}

    /**
     * A value typed on the command line: JSON when it reads as JSON ({@code 3}, {@code true}, {@code null},
     * {@code "a b"}, {@code [1, 2]}, {@code {"a": 1}}), a string otherwise ({@code hello}).
     */
    public static JsonNode value(String text) {
        try {
            JsonNode parsed = MAPPER.readTree(text);
            if (parsed != null && !parsed.isMissingNode()) {
                return parsed;
            }
        } catch (JacksonException e) {
            // Not JSON: the text itself.
        }
        return StringNode.valueOf(text);
    }

    /** Indented JSON. */
    public static String pretty(JsonNode node) {
        return MAPPER.writeValueAsString(node);
    }

    /** JSON on one line, for a table cell; a string as itself. */
    public static String compact(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "";
        }
        if (node.isString()) {
            return node.asString();
        }
        return COMPACT.writeValueAsString(node);
    }
}
