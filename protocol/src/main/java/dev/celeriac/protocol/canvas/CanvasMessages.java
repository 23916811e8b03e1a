package dev.celeriac.protocol.canvas;

import dev.celeriac.protocol.message.CeleryTimes;
import dev.celeriac.protocol.message.Embed;
import dev.celeriac.protocol.message.TaskBody;
import dev.celeriac.protocol.message.TaskHeaders;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.message.TaskProperties;
import dev.celeriac.protocol.message.TimeLimit;
import dev.celeriac.protocol.names.MessageHeaders;
import dev.celeriac.protocol.names.NameRules;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The task messages that start a canvas: the first step of a chain, carrying the steps after it in its embed (last
 * first, as Celery writes them), every member of a group under the group's id, each with its own callbacks and
 * error callbacks. The same rule starts a workflow a client submits and continues one when a worker finishes a step,
 * so a Python worker and a Java worker continue each other's workflows.
 *
 * <p>A step sent without a {@code task_id} gets one derived from where it starts ({@link Start#seed}) and its place
 * in the canvas: a worker that runs a step twice (it crashed before its ack) sends the same continuation under the
 * same id, which the ledger records once.
 */
public final class CanvasMessages {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /**
     * Where a canvas starts.
     *
     * @param parentId the task that sends it, or {@code null} for a client
     * @param rootId the first task of the workflow, or {@code null} when this canvas starts one
     * @param defaultQueue the queue of a step that names none
     * @param replyTo where results go for a step that names no {@code reply_to}, or {@code null}
     * @param origin the node that sends it
     * @param now the time a {@code countdown} counts from
     * @param seed what the ids of steps sent without one are derived from (the parent's id and the role of what it
     *     sends: {@code "<id>/chain"}, {@code "<id>/link"}, {@code "<id>/link_error"})
     */
    public record Start(
            String parentId,
            String rootId,
            String defaultQueue,
            String replyTo,
            String origin,
            Instant now,
            String seed) {

        public Start {
            Objects.requireNonNull(defaultQueue, "defaultQueue");
            Objects.requireNonNull(now, "now");
            Objects.requireNonNull(seed, "seed");
        }
    }

    /** A task message to publish, and the work queue it goes to. */
    public record Outgoing(String queue, TaskMessage message) {}

    /**
     * A chord to tell the ledger of before its header tasks are published: it starts {@code body} once every task
     * of {@code parts} has finished.
     *
     * @param rootId the workflow's root task id
     * @param parts the header tasks whose results the body gets, in order
     * @param body what to start with their results, the rest of its chain included
     */
    public record ChordStart(String id, String rootId, List<String> parts, Canvas body, ChordPolicy policy) {
        public ChordStart {
            parts = List.copyOf(parts);
        }
    }

    /** What starts a workflow: the chords to define first, then the messages to publish. */
    public record Launch(List<ChordStart> chords, List<Outgoing> messages) {
        public Launch {
            chords = List.copyOf(chords);
            messages = List.copyOf(messages);
        }
    }

    private final Start start;
    private final List<Outgoing> out = new ArrayList<>();
    private final List<ChordStart> defined = new ArrayList<>();

    private CanvasMessages(Start start) {
        this.start = start;
    }

    /**
     * What starts a workflow a client submits: its chords, to be defined in the ledger before anything is
     * published, and the messages of its first tasks.
     *
     * @throws UnsupportedCanvasException if a group is followed by another step, or a header member has more than
     *     one result
     * @throws IllegalArgumentException if a step's name, queue or options are invalid
     */
    public static Launch launch(Canvas canvas, Start start) {
        return start(canvas, null, List.of(), start);
    }

    /**
     * What starts {@code canvas} (the next step of a chain, a chord's body): the chords it starts, to be defined in the
     * ledger (by whoever sends the messages, before or with them), and its first messages. A chord started twice, by
     * a worker that ran its step twice, is the same chord with the same header tasks, which the ledger defines once.
     *
     * @param canvas what to start
     * @param first the value put in front of the arguments of every mutable first step (the result of the step
     *     before, or the failed task's id for an error callback), or {@code null} for none; each member of a chord's
     *     header is a first step
     * @param then the steps to run after {@code canvas}, next step first
     * @throws UnsupportedCanvasException if a group is followed by another step, or a header member has more than
     *     one result
     * @throws IllegalArgumentException if a step's name, queue or options are invalid
     */
    public static Launch start(Canvas canvas, JsonNode first, List<Canvas> then, Start start) {
        var messages = new CanvasMessages(start);
        messages.add(canvas, first, then, null, null, "0");
        return new Launch(messages.defined, messages.out);
    }

    /** What starts each of {@code canvases} (callbacks, error callbacks), each given {@code first}. */
    public static Launch startEach(List<Canvas> canvases, JsonNode first, Start start) {
        var messages = new CanvasMessages(start);
        for (int i = 0; i < canvases.size(); i++) {
            messages.add(canvases.get(i), first, List.of(), null, null, Integer.toString(i));
        }
        return new Launch(messages.defined, messages.out);
    }

    private void add(Canvas canvas, JsonNode first, List<Canvas> then, String group, Integer index, String path) {
        switch (canvas) {
            case Signature s -> out.add(message(s, first, then, group, index, path));
            case Chain c -> {
                var rest = new ArrayList<Canvas>(c.steps().subList(1, c.steps().size()));
                rest.addAll(then);
                add(c.steps().getFirst(), first, rest, group, index, path + ".0");
            }
            case Chord c -> {
                var parts = new ArrayList<String>(c.header().members().size());
                for (Canvas member : c.header().members()) {
                    parts.add(onlyResult(member));
                }
                var body = new ArrayList<Canvas>(List.of(c.body()));
                body.addAll(then);
                defined.add(new ChordStart(
                        c.id(), start.rootId(), parts, body.size() == 1 ? c.body() : new Chain(body), c.policy()));
                for (int i = 0; i < c.header().members().size(); i++) {
                    add(c.header().members().get(i), first, List.of(), c.id(), i, path + "." + i);
                }
            }
            case Group g -> {
                if (!then.isEmpty()) {
                    throw new UnsupportedCanvasException(
                            "a group followed by another step is not run by Celeriac; write it as a chord of the group"
                                    + " and that step");
                }
                for (int i = 0; i < g.members().size(); i++) {
                    add(g.members().get(i), first, List.of(), g.id(), i, path + "." + i);
                }
            }
        }
    }

    /** The id of the one task whose result is a chord header member's: a task's, or the last step of a chain. */
    private static String onlyResult(Canvas member) {
        return switch (member) {
            case Signature s when s.taskId() != null -> s.taskId();
            case Chain c -> onlyResult(c.steps().getLast());
            default ->
                throw new UnsupportedCanvasException(
                        "each member of a chord's header must be a task with an id, or a chain ending in one");
        };
    }

    private Outgoing message(Signature s, JsonNode first, List<Canvas> then, String group, Integer index, String path) {
        String problem = NameRules.problem("task name", s.task());
        if (problem != null) {
            throw new IllegalArgumentException(problem + ": '" + s.task() + "'");
        }
        String id = s.taskId() != null
                ? s.taskId()
                : UUID.nameUUIDFromBytes((start.seed() + "/" + path).getBytes(StandardCharsets.UTF_8))
                        .toString();
        ArrayNode args = JSON.arrayNode();
        if (first != null && !s.immutable()) {
            args.add(first);
        }
        args.addAll(s.args());
        String queue = s.option(CanvasCodec.QUEUE) != null ? s.option(CanvasCodec.QUEUE) : start.defaultQueue();
        String queueProblem = NameRules.problem("queue name", queue);
        if (queueProblem != null) {
            throw new IllegalArgumentException(queueProblem + ": '" + queue + "'");
        }
        String groupId = group != null ? group : s.option(CanvasCodec.GROUP_ID);
        Integer groupIndex = group != null ? index : integer(s.options().get(CanvasCodec.GROUP_INDEX));
        JsonNode ignoreResult = s.options().get(CanvasCodec.IGNORE_RESULT);
        Integer maxRetries = integer(s.options().get(CanvasCodec.MAX_RETRIES));
        TaskHeaders headers = TaskHeaders.builder(s.task(), id)
                .rootId(start.rootId() != null ? start.rootId() : id)
                .parentId(start.parentId())
                .group(groupId, groupIndex)
                .eta(eta(s))
                .expires(instant(s, CanvasCodec.EXPIRES))
                .timeLimit(new TimeLimit(
                        seconds(s.options().get(CanvasCodec.SOFT_TIME_LIMIT)),
                        seconds(s.options().get(CanvasCodec.TIME_LIMIT))))
                .argsrepr(TaskHeaders.repr(args))
                .kwargsrepr(TaskHeaders.repr(s.kwargs()))
                .origin(start.origin())
                .ignoreResult(ignoreResult != null && ignoreResult.asBoolean())
                .extra(maxRetries == null ? Map.of() : Map.of(MessageHeaders.MAX_RETRIES, maxRetries))
                .build();
        String replyTo = s.option(CanvasCodec.REPLY_TO) != null ? s.option(CanvasCodec.REPLY_TO) : start.replyTo();
        TaskProperties properties = TaskProperties.forTask(id)
                .withReplyTo(replyTo)
                .withPriority(integer(s.options().get(CanvasCodec.PRIORITY)));
        var embed = new Embed(
                list(s.options().get(CanvasCodec.LINK)),
                list(s.options().get(CanvasCodec.LINK_ERROR)),
                then.isEmpty() ? null : CanvasCodec.writeAll(then.reversed()),
                null);
        ObjectNode kwargs = s.kwargs().deepCopy();
        return new Outgoing(queue, new TaskMessage(properties, headers, new TaskBody(args, kwargs, embed)));
    }

    private Instant eta(Signature s) {
        Instant eta = instant(s, CanvasCodec.ETA);
        if (eta != null) {
            return eta;
        }
        Duration countdown = seconds(s.options().get(CanvasCodec.COUNTDOWN));
        return countdown == null ? null : start.now().plus(countdown);
    }

    /** An ISO-8601 time, or a number of seconds from now (as Celery takes {@code expires}). */
    private Instant instant(Signature s, String option) {
        JsonNode value = s.options().get(option);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isNumber()) {
            return start.now().plus(seconds(value));
        }
        try {
            return CeleryTimes.parse(value.asString());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("option " + option + " is no ISO-8601 time: '" + value.asString() + "'");
        }
    }

    private static Duration seconds(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw new IllegalArgumentException("a time in seconds must be a number, was '" + value + "'");
        }
        return Duration.ofNanos(Math.round(value.doubleValue() * 1e9));
    }

    private static Integer integer(JsonNode value) {
        return value == null || value.isNull() || !value.isNumber() ? null : value.intValue();
    }

    /** Celery writes one link as a dict and several as a list. */
    private static JsonNode list(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isArray()) {
            return value.isEmpty() ? null : value;
        }
        return JSON.arrayNode().add(value);
    }
}
