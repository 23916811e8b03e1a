package dev.celeriac.worker.internal.workflow;

import dev.celeriac.protocol.canvas.CanvasCodec;
import dev.celeriac.worker.CeleriacTask;
import dev.celeriac.worker.NonRetryableException;
import dev.celeriac.worker.TaskContext;
import dev.celeriac.worker.internal.dispatch.TaskDefinition;
import dev.celeriac.worker.internal.dispatch.TaskInvoker;
import dev.celeriac.worker.internal.dispatch.TaskRegistry;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Celery's built-in {@code celery.map} and {@code celery.starmap}: one message that runs a task over many inputs,
 * one after another in the same slot, and returns their results in order. Celery's {@code chunks} sends a group of
 * {@code celery.starmap} tasks, so a million inputs in chunks of 1,000 are 1,000 messages, not a million. As in
 * Celery, an input that fails fails its chunk (which then retries or is dead-lettered as a whole).
 */
public final class MapTasks {

    /** Celery's names for them. */
    public static final String MAP = "celery.map";

    public static final String STARMAP = "celery.starmap";

    private final TaskRegistry registry;
    private final TaskInvoker invoker;
    private final JsonMapper mapper;

    public MapTasks(TaskRegistry registry, JsonMapper mapper) {
        this.registry = registry;
        this.invoker = new TaskInvoker(mapper);
        this.mapper = mapper;
    }

    /** Calls {@code task} once per item of {@code it}, each item its one argument. */
    @CeleriacTask(name = MAP)
    public List<JsonNode> map(JsonNode task, List<JsonNode> it, TaskContext context) throws Throwable {
        return run(task, it, false, context);
    }

    /** Calls {@code task} once per item of {@code it}, each item the list of its arguments. */
    @CeleriacTask(name = STARMAP)
    public List<JsonNode> starmap(JsonNode task, List<JsonNode> it, TaskContext context) throws Throwable {
        return run(task, it, true, context);
    }

    private List<JsonNode> run(JsonNode signature, List<JsonNode> items, boolean spread, TaskContext context)
            throws Throwable {
        JsonNode name = signature == null ? null : signature.get(CanvasCodec.TASK);
        if (name == null || !name.isString()) {
            throw new NonRetryableException("the task to map must be a signature with a \"task\" name");
        }
        TaskDefinition definition = registry.find(name.stringValue());
        if (definition == null || MAP.equals(definition.name()) || STARMAP.equals(definition.name())) {
            throw new NonRetryableException("no task '" + name.stringValue() + "' to map is registered here");
        }
        ObjectNode noKwargs = mapper.createObjectNode();
        var results = new ArrayList<JsonNode>(items.size());
        for (JsonNode item : items) {
            ArrayNode args = mapper.createArrayNode();
            if (spread && item.isArray()) {
                args.addAll((ArrayNode) item);
            } else {
                args.add(item);
            }
            JsonNode result = invoker.invoke(definition, args, noKwargs, context);
            results.add(result == null ? mapper.nullNode() : result);
        }
        return results;
    }
}
