package dev.celeriac.protocol.canvas;

import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One task to call, as Celery's {@code Signature} dict: its name, its (partial) arguments and how to send it.
 *
 * @param task the task name
 * @param args positional arguments; a mutable signature is given the result of the step before in front of them
 * @param kwargs keyword arguments
 * @param options how to send it, with Celery's keys ({@code task_id}, {@code queue}, {@code reply_to},
 *     {@code countdown}, {@code link}, {@code link_error}, ...); keys Celeriac does not read are kept
 * @param immutable whether the result of the step before is left out of its arguments (Celery's {@code si()})
 */
public record Signature(String task, ArrayNode args, ObjectNode kwargs, ObjectNode options, boolean immutable)
        implements Canvas {

    public Signature {
        Objects.requireNonNull(task, "task");
        args = args == null ? JsonNodeFactory.instance.arrayNode() : args;
        kwargs = kwargs == null ? JsonNodeFactory.instance.objectNode() : kwargs;
        options = options == null ? JsonNodeFactory.instance.objectNode() : options;
    }

    /** The option {@code name} as text, or {@code null} when it is absent or JSON null. */
    public String option(String name) {
        JsonNode value = options.get(name);
        return value == null || value.isNull() ? null : value.asString();
    }

    /** The id the task is to be given ({@code task_id}), or {@code null} for one chosen when it is sent. */
    public String taskId() {
        return option(CanvasCodec.TASK_ID);
    }
}
