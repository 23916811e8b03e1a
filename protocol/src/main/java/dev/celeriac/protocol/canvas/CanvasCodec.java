package dev.celeriac.protocol.canvas;

import dev.celeriac.protocol.message.Embed;
import dev.celeriac.protocol.message.MalformedMessageException;
import dev.celeriac.protocol.message.MalformedMessageException.Reason;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes Celery's signature dicts ({@code {"task", "args", "kwargs", "options", "subtask_type",
 * "immutable"}}) as {@link Canvas}, and the workflow of a task message's embed.
 */
public final class CanvasCodec {

    /** Signature dict keys. */
    public static final String TASK = "task";

    public static final String ARGS = "args";
    public static final String KWARGS = "kwargs";
    public static final String OPTIONS = "options";
    public static final String SUBTASK_TYPE = "subtask_type";
    public static final String IMMUTABLE = "immutable";
    public static final String CHORD_SIZE = "chord_size";

    /** The members of a chain or group signature, in its {@code kwargs}. */
    public static final String TASKS = "tasks";

    /** Option keys Celeriac reads. */
    public static final String TASK_ID = "task_id";

    public static final String QUEUE = "queue";
    public static final String REPLY_TO = "reply_to";
    public static final String PRIORITY = "priority";
    public static final String COUNTDOWN = "countdown";
    public static final String ETA = "eta";
    public static final String EXPIRES = "expires";
    public static final String TIME_LIMIT = "time_limit";
    public static final String SOFT_TIME_LIMIT = "soft_time_limit";
    public static final String LINK = "link";
    public static final String LINK_ERROR = "link_error";
    public static final String GROUP_ID = "group_id";
    public static final String GROUP_INDEX = "group_index";
    public static final String IGNORE_RESULT = "ignore_result";

    /** Retries allowed, overriding the task's own policy: a Celeriac option, which Celery workers ignore. */
    public static final String MAX_RETRIES = "max_retries";

    /** Subtask types and the task names Celery gives them. */
    public static final String TYPE_CHAIN = "chain";

    public static final String TYPE_GROUP = "group";
    public static final String TYPE_CHORD = "chord";
    public static final String CHAIN_TASK = "celery.chain";
    public static final String CHORD_TASK = "celery.chord";

    /** A chord signature's parts, in its {@code kwargs}, and Celeriac's option for its failure policy. */
    public static final String HEADER = "header";

    public static final String BODY = "body";
    public static final String CHORD_POLICY = "chord_policy";
    public static final String GROUP_TASK = "celery.group";

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private CanvasCodec() {}

    /**
     * Reads one signature dict.
     *
     * @throws MalformedMessageException if it is not a signature dict
     * @throws UnsupportedCanvasException if it is a kind Celeriac does not run
     */
    public static Canvas read(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new MalformedMessageException(
                    Reason.WRONG_SHAPE, "a signature must be a JSON object, was " + kind(node));
        }
        JsonNode type = node.get(SUBTASK_TYPE);
        String subtaskType = type == null || type.isNull() ? null : type.asString();
        ObjectNode options = object(node, OPTIONS);
        if (subtaskType == null) {
            JsonNode task = node.get(TASK);
            if (task == null || !task.isString() || task.stringValue().isBlank()) {
                throw new MalformedMessageException(
                        Reason.WRONG_SHAPE, "a signature needs a task name in \"task\", was " + kind(task));
            }
            JsonNode args = node.get(ARGS);
            if (args != null && !args.isNull() && !args.isArray()) {
                throw new MalformedMessageException(
                        Reason.WRONG_SHAPE, "signature args must be a JSON array, was " + kind(args));
            }
            JsonNode immutable = node.get(IMMUTABLE);
            return new Signature(
                    task.stringValue(),
                    args == null || args.isNull() ? null : (ArrayNode) args,
                    object(node, KWARGS),
                    options,
                    immutable != null && immutable.asBoolean());
        }
        if (TYPE_CHORD.equals(subtaskType) && options.has(CHORD_POLICY)) {
            return chord(node, options);
        }
        if (!TYPE_CHAIN.equals(subtaskType) && !TYPE_GROUP.equals(subtaskType)) {
            throw new UnsupportedCanvasException(
                    "canvas of type '" + subtaskType + "' is not run by Celeriac workers yet");
        }
        List<Canvas> members = members(node);
        return switch (subtaskType) {
            case TYPE_CHAIN -> {
                if (members.isEmpty()) {
                    throw new MalformedMessageException(Reason.WRONG_SHAPE, "a chain signature has no tasks");
                }
                yield new Chain(members);
            }
            case TYPE_GROUP -> {
                String id = options.get(TASK_ID) instanceof JsonNode n && n.isString() ? n.stringValue() : null;
                if (id == null) {
                    throw new MalformedMessageException(
                            Reason.WRONG_SHAPE, "a group signature needs its group id in options.task_id");
                }
                yield new Group(id, members);
            }
            default -> throw new IllegalStateException(subtaskType);
        };
    }

    /** Reads a JSON array of signature dicts, or {@code null}, as a list. */
    public static List<Canvas> readAll(JsonNode array) {
        if (array == null || array.isNull()) {
            return List.of();
        }
        if (!array.isArray()) {
            throw new MalformedMessageException(
                    Reason.WRONG_SHAPE, "a list of signatures must be a JSON array, was " + kind(array));
        }
        var list = new ArrayList<Canvas>(array.size());
        for (JsonNode item : array) {
            list.add(read(item));
        }
        return list;
    }

    /**
     * The steps still to run after the task of {@code embed}, next step first (Celery writes them last first).
     *
     * @throws UnsupportedCanvasException if the embed holds a chord, which Celeriac workers do not run yet
     */
    public static List<Canvas> chainOf(Embed embed) {
        if (embed.chord() != null) {
            throw new UnsupportedCanvasException("chords are not run by Celeriac workers yet");
        }
        List<Canvas> lastFirst = readAll(embed.chain());
        return lastFirst.reversed();
    }

    /** Writes a canvas as Celery's signature dict. */
    public static ObjectNode write(Canvas canvas) {
        ObjectNode node = JSON.objectNode();
        switch (canvas) {
            case Signature s -> {
                node.put(TASK, s.task());
                node.set(ARGS, s.args());
                node.set(KWARGS, s.kwargs());
                node.set(OPTIONS, s.options());
                node.putNull(SUBTASK_TYPE);
                node.put(IMMUTABLE, s.immutable());
            }
            case Chain c -> {
                node.put(TASK, CHAIN_TASK);
                node.set(ARGS, JSON.arrayNode());
                node.set(KWARGS, JSON.objectNode().set(TASKS, writeAll(c.steps())));
                node.set(OPTIONS, JSON.objectNode());
                node.put(SUBTASK_TYPE, TYPE_CHAIN);
                node.put(IMMUTABLE, false);
            }
            case Chord c -> {
                node.put(TASK, CHORD_TASK);
                node.set(ARGS, JSON.arrayNode());
                node.set(
                        KWARGS,
                        JSON.objectNode()
                                .<ObjectNode>set(HEADER, write(c.header()))
                                .set(BODY, write(c.body())));
                node.set(
                        OPTIONS,
                        JSON.objectNode()
                                .put(TASK_ID, c.id())
                                .put(CHORD_POLICY, c.policy().wireName()));
                node.put(SUBTASK_TYPE, TYPE_CHORD);
                node.put(IMMUTABLE, false);
            }
            case Group g -> {
                node.put(TASK, GROUP_TASK);
                node.set(ARGS, JSON.arrayNode());
                node.set(KWARGS, JSON.objectNode().set(TASKS, writeAll(g.members())));
                node.set(OPTIONS, JSON.objectNode().put(TASK_ID, g.id()));
                node.put(SUBTASK_TYPE, TYPE_GROUP);
                node.put(IMMUTABLE, false);
            }
        }
        return node;
    }

    /** Writes canvases as a JSON array of signature dicts, in their order. */
    public static ArrayNode writeAll(List<? extends Canvas> canvases) {
        ArrayNode array = JSON.arrayNode();
        canvases.forEach(c -> array.add(write(c)));
        return array;
    }

    /**
     * A chord Celeriac wrote (it names its policy); one a Celery client wrote is counted by a Celery result backend,
     * which Celeriac workers do not have, and is refused as unsupported.
     */
    private static Chord chord(JsonNode node, ObjectNode options) {
        JsonNode kwargs = node.get(KWARGS);
        Canvas header = kwargs == null ? null : read(kwargs.get(HEADER));
        Canvas body = kwargs == null ? null : read(kwargs.get(BODY));
        if (!(header instanceof Group group) || body == null) {
            throw new MalformedMessageException(
                    Reason.WRONG_SHAPE, "a chord signature needs a group as its header and a body");
        }
        try {
            return new Chord(
                    group.id(),
                    group,
                    body,
                    ChordPolicy.fromWireName(options.get(CHORD_POLICY).asString()));
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException(Reason.WRONG_SHAPE, e.getMessage());
        }
    }

    private static List<Canvas> members(JsonNode node) {
        JsonNode kwargs = node.get(KWARGS);
        JsonNode tasks = kwargs == null ? null : kwargs.get(TASKS);
        if (tasks == null || !tasks.isArray()) {
            // Celery before 5 wrote them as the first positional argument.
            JsonNode args = node.get(ARGS);
            tasks = args != null && args.isArray() && !args.isEmpty() ? args.get(0) : null;
        }
        if (tasks == null || !tasks.isArray()) {
            throw new MalformedMessageException(
                    Reason.WRONG_SHAPE, "a " + node.get(SUBTASK_TYPE).asString() + " signature needs its kwargs.tasks");
        }
        return readAll(tasks);
    }

    private static ObjectNode object(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return JSON.objectNode();
        }
        if (!value.isObject()) {
            throw new MalformedMessageException(
                    Reason.WRONG_SHAPE, "signature " + field + " must be a JSON object, was " + kind(value));
        }
        return (ObjectNode) value;
    }

    private static String kind(JsonNode node) {
        return node == null || node.isMissingNode()
                ? "missing"
                : node.getNodeType().name().toLowerCase();
    }
}
