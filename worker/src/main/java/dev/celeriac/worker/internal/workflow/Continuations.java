package dev.celeriac.worker.internal.workflow;

import dev.celeriac.producer.amqp.AmqpTaskMessages;
import dev.celeriac.producer.amqp.ChordDefinitions;
import dev.celeriac.producer.amqp.ConfirmedPublisher;
import dev.celeriac.protocol.canvas.Canvas;
import dev.celeriac.protocol.canvas.CanvasCodec;
import dev.celeriac.protocol.canvas.CanvasMessages;
import dev.celeriac.protocol.canvas.CanvasMessages.ChordStart;
import dev.celeriac.protocol.canvas.CanvasMessages.Launch;
import dev.celeriac.protocol.canvas.CanvasMessages.Outgoing;
import dev.celeriac.protocol.event.EventCodec;
import dev.celeriac.protocol.event.EventSource;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.message.Embed;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.message.TaskMessageCodec;
import dev.celeriac.protocol.names.TopologyNames;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.StringNode;

/**
 * What a task's workflow sends once the task has finished, read from its message's embed the way a Celery worker
 * reads it: on success the next step of its chain, given the result as its first argument (a chord there is defined in
 * the ledger with its header sent), and each of its callbacks
 * ({@code link}); on a final failure each of its error callbacks ({@code link_error}), given the failed task's id.
 * They are published before the task message is acked (see the settler), so a worker that crashes first runs the
 * task again and sends them again, under the same ids.
 */
public final class Continuations {

    /** The role of what a task sends, part of the ids derived for steps sent without one. */
    static final String CHAIN = "chain";

    static final String LINK = "link";
    static final String LINK_ERROR = "link_error";

    private static final Launch NOTHING = new Launch(List.of(), List.of());

    private final ConfirmedPublisher publisher;
    private final ChordDefinitions chordDefinitions;
    private final TaskMessageCodec codec;
    private final String defaultQueue;
    private final String origin;
    private final Clock clock;

    /**
     * @param defaultQueue the queue of a step that names none
     * @param origin this worker's name, the {@code origin} of what it sends
     */
    public Continuations(
            ConfirmedPublisher publisher, TaskMessageCodec codec, String defaultQueue, String origin, Clock clock) {
        this.publisher = publisher;
        this.chordDefinitions = new ChordDefinitions(publisher, new EventCodec(codec.mapper()));
        this.codec = codec;
        this.defaultQueue = defaultQueue;
        this.origin = origin;
        this.clock = clock;
    }

    /** Whether the task's message carries a workflow at all. */
    public static boolean hasAny(TaskMessage task) {
        Embed embed = task.body().embed();
        return embed.chain() != null || embed.callbacks() != null || embed.errbacks() != null || embed.chord() != null;
    }

    /**
     * Why the workflow of a task cannot be continued by this worker (a group followed by a step, a canvas kind it does
     * not know, a signature that is not one), or {@code null} when it can: asked before the task runs, so that nothing runs whose
     * next step could never be sent.
     */
    public String problem(TaskMessage task) {
        if (!hasAny(task)) {
            return null;
        }
        try {
            afterSuccess(task, NullNode.getInstance());
            afterFailure(task);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /**
     * What a task that returned {@code result} sends: its chain's next step (a chord's definition and header, when the
     * next step is a chord), then each of its callbacks.
     */
    public Launch afterSuccess(TaskMessage task, JsonNode result) {
        if (!hasAny(task)) {
            return NOTHING;
        }
        Embed embed = task.body().embed();
        var chords = new ArrayList<ChordStart>();
        var out = new ArrayList<Outgoing>();
        List<Canvas> chain = CanvasCodec.chainOf(embed);
        if (!chain.isEmpty()) {
            Launch next =
                    CanvasMessages.start(chain.getFirst(), result, chain.subList(1, chain.size()), from(task, CHAIN));
            chords.addAll(next.chords());
            out.addAll(next.messages());
        }
        Launch callbacks = CanvasMessages.startEach(CanvasCodec.readAll(embed.callbacks()), result, from(task, LINK));
        chords.addAll(callbacks.chords());
        out.addAll(callbacks.messages());
        return new Launch(chords, out);
    }

    /** What a task that failed for good sends: each of its error callbacks, given the task's id. */
    public Launch afterFailure(TaskMessage task) {
        if (task.body().embed().errbacks() == null) {
            return NOTHING;
        }
        return CanvasMessages.startEach(
                CanvasCodec.readAll(task.body().embed().errbacks()),
                StringNode.valueOf(task.id()),
                from(task, LINK_ERROR));
    }

    /**
     * Tells the ledger of a chord the task's workflow starts; the caller awaits the confirm with the others, before
     * the ack. Sent again by a worker that runs the task again, it is the same chord, which the ledger defines once.
     */
    public ConfirmedPublisher.Pending define(ChordStart chord, EventSource source) {
        return chordDefinitions.send(chord, source);
    }

    /** Publishes one of them to its work queue; the caller awaits the confirm before the ack. */
    public ConfirmedPublisher.Pending publish(Outgoing next) {
        TaskMessage message = next.message();
        return publisher.send(
                message.id(),
                TopologyNames.TASK_EXCHANGE,
                next.queue(),
                next.queue(),
                AmqpTaskMessages.toMessage(codec.encode(message)));
    }

    /** The task-sent event of one of them, so that the ledger knows it as PENDING, with its parent, at once. */
    public static TaskEvent.Sent sent(Outgoing next, EventSource source) {
        return TaskEvent.Sent.of(source, next.message(), next.queue(), TopologyNames.TASK_EXCHANGE);
    }

    private CanvasMessages.Start from(TaskMessage task, String role) {
        String root = task.headers().rootId() != null ? task.headers().rootId() : task.id();
        return new CanvasMessages.Start(
                task.id(), root, defaultQueue, null, origin, clock.instant(), task.id() + "/" + role);
    }
}
