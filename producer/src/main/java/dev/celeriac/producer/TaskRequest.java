package dev.celeriac.producer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One task to submit.
 *
 * @param task registered task name, e.g. {@code demo.add}
 * @param args positional arguments, each serialisable to JSON (may hold nulls)
 * @param kwargs keyword arguments, each serialisable to JSON
 * @param options how to send it
 */
public record TaskRequest(String task, List<?> args, Map<String, ?> kwargs, SubmitOptions options) {

    public TaskRequest {
        Objects.requireNonNull(task, "task");
        args = args == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(args));
        kwargs = kwargs == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(kwargs));
        options = Objects.requireNonNullElse(options, SubmitOptions.defaults());
    }

    /** A request with positional arguments only, sent with {@link SubmitOptions#defaults()}. */
    public static TaskRequest of(String task, Object... args) {
        return new TaskRequest(task, Arrays.asList(args), Map.of(), SubmitOptions.defaults());
    }

    /**
     * The positional arguments as JSON.
     *
     * @throws IllegalArgumentException if one cannot be written as JSON
     */
    public ArrayNode argsJson(JsonMapper mapper) {
        return json(mapper, args, ArrayNode.class);
    }

    /**
     * The keyword arguments as JSON.
     *
     * @throws IllegalArgumentException if one cannot be written as JSON
     */
    public ObjectNode kwargsJson(JsonMapper mapper) {
        return json(mapper, kwargs, ObjectNode.class);
    }

    private <T extends JsonNode> T json(JsonMapper mapper, Object value, Class<T> type) {
        try {
            return type.cast(mapper.valueToTree(value));
        } catch (JacksonException e) {
            throw new IllegalArgumentException(
                    "the arguments of task '" + task + "' cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
