package dev.celeriac.producer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
}
