package dev.celeriac.producer.internal;

import dev.celeriac.producer.SubmitOptions;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.producer.Workflow;
import dev.celeriac.protocol.canvas.Canvas;
import dev.celeriac.protocol.canvas.CanvasCodec;
import dev.celeriac.protocol.canvas.Chain;
import dev.celeriac.protocol.canvas.Chord;
import dev.celeriac.protocol.canvas.Group;
import dev.celeriac.protocol.canvas.Signature;
import dev.celeriac.protocol.message.CeleryTimes;
import dev.celeriac.protocol.message.TimeLimit;
import dev.celeriac.protocol.names.NameRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A client's {@link Workflow} as Celery's canvas, with every task's id chosen now (Celery's {@code freeze}), so that
 * the handle names every task before it runs and a step sent again by a worker keeps its id.
 */
final class WorkflowCanvas {

    private final JsonMapper mapper;
    private final List<String> taskIds = new ArrayList<>();

    private WorkflowCanvas(JsonMapper mapper) {
        this.mapper = mapper;
    }

    /** The canvas, every task id in workflow order, and the ids of the tasks whose results are the workflow's. */
    record Frozen(Canvas canvas, List<String> taskIds, List<String> resultIds) {}

    static Frozen freeze(Workflow workflow, JsonMapper mapper) {
        return freeze(workflow, mapper, null);
    }

    /** As {@link #freeze(Workflow, JsonMapper)}, with the result tasks' results sent to {@code replyTo}. */
    static Frozen freeze(Workflow workflow, JsonMapper mapper, String replyTo) {
        var canvas = new WorkflowCanvas(mapper);
        Canvas frozen = canvas.convert(workflow);
        List<String> results = resultIds(frozen);
        if (replyTo != null) {
            replyTo(frozen, Set.copyOf(results), replyTo);
        }
        return new Frozen(frozen, List.copyOf(canvas.taskIds), results);
    }

    private static void replyTo(Canvas canvas, Set<String> results, String queue) {
        switch (canvas) {
            case Signature s -> {
                if (results.contains(s.taskId()) && !s.options().has(CanvasCodec.REPLY_TO)) {
                    s.options().put(CanvasCodec.REPLY_TO, queue);
                }
            }
            case Chain c -> c.steps().forEach(step -> replyTo(step, results, queue));
            case Group g -> g.members().forEach(member -> replyTo(member, results, queue));
            case Chord c -> {
                replyTo(c.header(), results, queue);
                replyTo(c.body(), results, queue);
            }
        }
    }

    private Canvas convert(Workflow workflow) {
        return switch (workflow) {
            case Workflow.Step step -> signature(step);
            case Workflow.Chain chain ->
                new Chain(chain.steps().stream().map(this::convert).toList());
            case Workflow.Group group -> group(group);
            case Workflow.Chord chord -> {
                Group header = group(chord.header());
                yield new Chord(header.id(), header, convert(chord.body()), chord.policy());
            }
        };
    }

    private Group group(Workflow.Group group) {
        return new Group(
                UUID.randomUUID().toString(),
                group.members().stream().map(this::convert).toList());
    }

    private Signature signature(Workflow.Step step) {
        TaskRequest request = step.request();
        SubmitOptions o = request.options();
        // Later steps are built by the workers that finish the steps before them: each is checked now.
        String problem = NameRules.problem("task name", request.task());
        if (problem != null) {
            throw new IllegalArgumentException(problem + ": '" + request.task() + "'");
        }
        String id = o.taskId() != null ? o.taskId() : UUID.randomUUID().toString();
        taskIds.add(id);
        ObjectNode options = mapper.createObjectNode();
        options.put(CanvasCodec.TASK_ID, id);
        if (o.queue() != null) {
            options.put(CanvasCodec.QUEUE, o.queue());
        }
        if (o.priority() != null) {
            options.put(CanvasCodec.PRIORITY, o.priority());
        }
        if (o.countdown() != null) {
            options.put(CanvasCodec.COUNTDOWN, seconds(o.countdown()));
        }
        if (o.eta() != null) {
            options.put(CanvasCodec.ETA, CeleryTimes.format(o.eta()));
        }
        if (o.expires() != null) {
            options.put(CanvasCodec.EXPIRES, CeleryTimes.format(o.expires()));
        }
        if (o.maxRetries() != null) {
            options.put(CanvasCodec.MAX_RETRIES, o.maxRetries());
        }
        if (o.replyTo() != null) {
            options.put(CanvasCodec.REPLY_TO, o.replyTo());
        }
        TimeLimit limit = o.timeLimit();
        if (limit != null && limit.hard() != null) {
            options.put(CanvasCodec.TIME_LIMIT, seconds(limit.hard()));
        }
        if (limit != null && limit.soft() != null) {
            options.put(CanvasCodec.SOFT_TIME_LIMIT, seconds(limit.soft()));
        }
        if (o.ignoreResult()) {
            options.put(CanvasCodec.IGNORE_RESULT, true);
        }
        if (!step.link().isEmpty()) {
            options.set(
                    CanvasCodec.LINK,
                    CanvasCodec.writeAll(step.link().stream().map(this::convert).toList()));
        }
        if (!step.linkError().isEmpty()) {
            options.set(
                    CanvasCodec.LINK_ERROR,
                    CanvasCodec.writeAll(
                            step.linkError().stream().map(this::convert).toList()));
        }
        return new Signature(
                request.task(), request.argsJson(mapper), request.kwargsJson(mapper), options, step.immutable());
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }

    /** The tasks whose results are a canvas's: a chain's last step's, every group member's, a task's own. */
    private static List<String> resultIds(Canvas canvas) {
        return switch (canvas) {
            case Signature s -> List.of(s.taskId());
            case Chain c -> resultIds(c.steps().getLast());
            case Group g ->
                g.members().stream().flatMap(m -> resultIds(m).stream()).toList();
            case Chord c -> resultIds(c.body());
        };
    }
}
