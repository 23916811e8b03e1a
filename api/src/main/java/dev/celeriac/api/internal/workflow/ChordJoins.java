package dev.celeriac.api.internal.workflow;

import dev.celeriac.api.internal.Periodic;
import dev.celeriac.api.internal.ledger.TaskChange;
import dev.celeriac.api.internal.ledger.TaskProjection;
import dev.celeriac.api.internal.ledger.TaskStore;
import dev.celeriac.api.internal.outbox.OutboxRelay;
import dev.celeriac.api.internal.outbox.OutboxStore;
import dev.celeriac.producer.amqp.TaskPublisher;
import dev.celeriac.protocol.canvas.Canvas;
import dev.celeriac.protocol.canvas.CanvasCodec;
import dev.celeriac.protocol.canvas.CanvasMessages;
import dev.celeriac.protocol.canvas.Chain;
import dev.celeriac.protocol.canvas.Chord;
import dev.celeriac.protocol.canvas.ChordJoin;
import dev.celeriac.protocol.canvas.Group;
import dev.celeriac.protocol.canvas.Signature;
import dev.celeriac.protocol.event.EventSource;
import dev.celeriac.protocol.event.WorkflowEvent;
import dev.celeriac.protocol.message.TaskHeaders;
import dev.celeriac.protocol.names.TopologyNames;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.node.StringNode;

/**
 * Decides chords' joins, inside the transaction that records what may complete them: the header tasks' events
 * (the event recorder) or the chord's own definition. A chord is locked while its join is decided, and marked fired
 * by the one transaction that starts its body (or takes its error path); the body's tasks are recorded PENDING and
 * put in the outbox in that transaction, and published once it commits, so a crash in between is repaired by the
 * outbox relay and never starts a body twice. A sweep settles, every {@code sweep}, the joins of chords that two API
 * instances recording at once may each have left to the other.
 */
public final class ChordJoins implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ChordJoins.class);

    /** Chords looked at per sweep. */
    private static final int SWEEP_BATCH = 500;

    private final ChordStore chords;
    private final TaskStore tasks;
    private final OutboxStore outbox;
    private final OutboxRelay relay;
    private final TaskPublisher publisher;
    private final TransactionTemplate transactions;
    private final String defaultQueue;
    private final String origin;
    private final Clock clock;
    private final Duration sweep;
    private final Periodic periodic;

    public ChordJoins(
            ChordStore chords,
            TaskStore tasks,
            OutboxStore outbox,
            OutboxRelay relay,
            TaskPublisher publisher,
            TransactionTemplate transactions,
            String defaultQueue,
            String origin,
            Clock clock,
            Duration sweep) {
        this.chords = chords;
        this.tasks = tasks;
        this.outbox = outbox;
        this.relay = relay;
        this.publisher = publisher;
        this.transactions = transactions;
        this.defaultQueue = defaultQueue;
        this.origin = origin;
        this.clock = clock;
        this.sweep = sweep;
        this.periodic = new Periodic(
                "celeriac-chord-sweep",
                sweep,
                sweep,
                this::sweep,
                e -> log.warn("the chord sweep failed; it runs again in {}: {}", sweep, e.toString()));
    }

    /** The chords a batch may complete: those of its finished tasks and those it defines. */
    public Collection<String> touchedBy(Collection<String> finishedTasks, Collection<String> definedChords) {
        var ids = new TreeSet<String>(chords.waitingOn(finishedTasks));
        ids.addAll(definedChords);
        return ids;
    }

    /**
     * Decides the joins of {@code chordIds} in the caller's transaction, in id order (so two transactions never
     * wait on each other in a circle).
     *
     * @return the messages now in the outbox, to publish once the transaction has committed
     */
    public List<OutboxStore.Entry> decide(Collection<String> chordIds) {
        var entries = new ArrayList<OutboxStore.Entry>();
        for (String id : new TreeSet<>(chordIds)) {
            ChordStore.StoredChord chord = chords.lock(id).orElse(null);
            if (chord == null || chord.firedAt() != null) {
                continue;
            }
            Instant now = clock.instant();
            switch (ChordJoin.decide(chord.policy(), chords.parts(id))) {
                case ChordJoin.Waiting waiting -> {}
                case ChordJoin.Complete complete -> {
                    if (chords.fire(id, ChordStore.Outcome.STARTED, now)) {
                        entries.addAll(record(
                                CanvasMessages.start(
                                        CanvasCodec.read(chord.body()),
                                        complete.results(),
                                        List.of(),
                                        from(chord, now)),
                                now));
                    }
                }
                case ChordJoin.Failed failed -> {
                    if (chords.fire(id, ChordStore.Outcome.FAILED, now)) {
                        entries.addAll(failBody(chord, failed, now));
                    }
                }
            }
        }
        return entries;
    }

    /** Publishes what {@link #decide} put in the outbox; what the broker does not take is left to the relay. */
    public void publish(List<OutboxStore.Entry> entries) {
        if (!entries.isEmpty()) {
            relay.publishCommitted(entries);
        }
    }

    /**
     * A failed header task under fail-fast: every task of the body is recorded FAILURE, naming it, and the error
     * callbacks of the body's first step run, given that step's id.
     */
    private List<OutboxStore.Entry> failBody(ChordStore.StoredChord chord, ChordJoin.Failed failed, Instant now) {
        Canvas body = CanvasCodec.read(chord.body());
        String reason = "header task " + failed.taskId() + " of chord " + chord.id() + " failed: " + failed.error();
        var changes = new ArrayList<TaskChange>();
        for (String taskId : taskIds(body, new ArrayList<>())) {
            changes.add(TaskProjection.abandoned(taskId, 0, "ChordError", reason, now));
        }
        tasks.write(changes);
        Signature first = firstStep(body);
        log.warn("chord {} failed: {}", chord.id(), reason);
        if (first == null || first.options().get(CanvasCodec.LINK_ERROR) == null) {
            return List.of();
        }
        return record(
                CanvasMessages.startEach(
                        CanvasCodec.readAll(first.options().get(CanvasCodec.LINK_ERROR)),
                        StringNode.valueOf(first.taskId()),
                        new CanvasMessages.Start(
                                first.taskId(),
                                chord.rootId(),
                                defaultQueue,
                                null,
                                origin,
                                now,
                                first.taskId() + "/link_error")),
                now);
    }

    /**
     * Defines the chords a started canvas starts (a chord in a chord's body, say) and decides their joins, then records
     * the messages' tasks PENDING and puts the messages in the outbox, all in the caller's transaction.
     */
    private List<OutboxStore.Entry> record(CanvasMessages.Launch launch, Instant now) {
        var entries = new ArrayList<OutboxStore.Entry>(record(launch.messages(), now));
        if (!launch.chords().isEmpty()) {
            var source = EventSource.at(now, origin, 0);
            chords.define(
                    launch.chords().stream()
                            .map(chord -> WorkflowEvent.ChordDefined.of(source, chord))
                            .toList(),
                    now);
            // An empty header is complete as soon as it is defined.
            entries.addAll(decide(
                    launch.chords().stream().map(CanvasMessages.ChordStart::id).toList()));
        }
        return entries;
    }

    /** Records the messages' tasks PENDING and puts the messages in the outbox. */
    private List<OutboxStore.Entry> record(List<CanvasMessages.Outgoing> messages, Instant now) {
        var changes = new ArrayList<TaskChange>(messages.size());
        var entries = new ArrayList<OutboxStore.Entry>(messages.size());
        for (CanvasMessages.Outgoing next : messages) {
            TaskPublisher.Prepared prepared = publisher.prepare(next.message(), next.queue());
            TaskHeaders h = next.message().headers();
            changes.add(TaskProjection.submitted(
                    h.id(),
                    new TaskChange.Description(
                            h.task(),
                            next.queue(),
                            h.argsrepr(),
                            h.kwargsrepr(),
                            h.parentId(),
                            h.rootId(),
                            h.eta(),
                            h.expires()),
                    now));
            entries.add(new OutboxStore.Entry(
                    h.id(), h.task(), TopologyNames.TASK_EXCHANGE, next.queue(), 0, prepared.encoded(), now));
        }
        tasks.write(changes);
        outbox.add(entries);
        return entries;
    }

    private CanvasMessages.Start from(ChordStore.StoredChord chord, Instant now) {
        return new CanvasMessages.Start(null, chord.rootId(), defaultQueue, null, origin, now, chord.id() + "/body");
    }

    private static List<String> taskIds(Canvas canvas, List<String> into) {
        switch (canvas) {
            case Signature s -> {
                if (s.taskId() != null) {
                    into.add(s.taskId());
                }
            }
            case Chain c -> c.steps().forEach(step -> taskIds(step, into));
            case Group g -> g.members().forEach(member -> taskIds(member, into));
            case Chord c -> {
                c.header().members().forEach(member -> taskIds(member, into));
                taskIds(c.body(), into);
            }
        }
        return into;
    }

    private static Signature firstStep(Canvas canvas) {
        return switch (canvas) {
            case Signature s -> s;
            case Chain c -> firstStep(c.steps().getFirst());
            case Group g -> g.members().isEmpty() ? null : firstStep(g.members().getFirst());
            case Chord c -> null;
        };
    }

    private void sweep() {
        List<OutboxStore.Entry> entries = transactions.execute(
                status -> decide(chords.unfired(clock.instant().minus(sweep), SWEEP_BATCH)));
        if (entries != null && !entries.isEmpty()) {
            log.info("the chord sweep started {} tasks of chords left undecided", entries.size());
            publish(entries);
        }
    }

    @Override
    public void start() {
        periodic.start();
    }

    @Override
    public void stop() {
        periodic.stop();
    }

    @Override
    public boolean isRunning() {
        return periodic.isRunning();
    }
}
