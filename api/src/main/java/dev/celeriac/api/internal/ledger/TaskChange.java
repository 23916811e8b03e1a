package dev.celeriac.api.internal.ledger;

import dev.celeriac.protocol.state.TaskState;
import dev.celeriac.protocol.state.TaskStatus;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What some of a task's events (or its submit, or its replay) say about it: the unit the ledger merges and stores.
 * {@link TaskProjection#merge} merges two changes of one task; the store applies the same rules inside SQL when it
 * merges a change into the stored record.
 *
 * @param id task id
 * @param state the latest state these events reach
 * @param attempt the attempt of that state, or {@code null} when the events did not say (Celery's own task-started
 *     and task-succeeded): then it is the attempt already known
 * @param replay how many replays came before the run these events are about, or {@code null} when they did not say
 *     (events of Celery's own workers): then it is the replay already known
 * @param outcome what goes with the state: worker, result or error, end time
 * @param startedAt when the latest attempt of these events started, or {@code null}
 * @param description what the task is: name, queue, arguments; each field is kept from the first change that knows it
 * @param progress the latest progress reported, as JSON text, or {@code null}
 * @param firstSeen when the task was accepted or first heard of
 * @param history the state changes these events record
 */
public record TaskChange(
        String id,
        TaskState state,
        Integer attempt,
        Integer replay,
        Outcome outcome,
        Instant startedAt,
        Description description,
        String progress,
        Instant firstSeen,
        List<HistoryEntry> history) {

    /** The task name recorded until an event names the task. */
    public static final String UNKNOWN_TASK = "(unknown)";

    public TaskChange {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(firstSeen, "firstSeen");
        history = List.copyOf(history);
    }

    /**
     * What goes with a task's state, kept only while that state is the one that wins.
     *
     * @param worker the worker that reported the state
     * @param result result as JSON text (or Celery's repr), or {@code null}
     * @param resultTruncated whether the result was cut at the ledger's size cap
     * @param errorType exception of the last failure
     * @param errorMessage its message
     * @param traceback its stack trace
     * @param finishedAt when the task reached a terminal state
     */
    public record Outcome(
            String worker,
            String result,
            boolean resultTruncated,
            String errorType,
            String errorMessage,
            String traceback,
            Instant finishedAt) {

        /** Nothing beyond the state. */
        public static final Outcome NONE = new Outcome(null, null, false, null, null, null, null);

        /** Only the worker that reported the state. */
        public static Outcome by(String worker) {
            return new Outcome(worker, null, false, null, null, null, null);
        }
    }

    /**
     * What a task is. Each field is kept from the first change that knows it; the name {@link #UNKNOWN_TASK} is
     * replaced by the first real one.
     */
    public record Description(
            String task,
            String queue,
            String args,
            String kwargs,
            String parentId,
            String rootId,
            Instant eta,
            Instant expires) {

        /** Nothing known yet. */
        public static final Description UNKNOWN =
                new Description(UNKNOWN_TASK, null, null, null, null, null, null, null);

        public Description {
            task = task == null ? UNKNOWN_TASK : task;
        }

        /** This description with what it does not know yet taken from {@code other}. */
        public Description fillFrom(Description other) {
            return new Description(
                    task.equals(UNKNOWN_TASK) ? other.task : task,
                    queue != null ? queue : other.queue,
                    args != null ? args : other.args,
                    kwargs != null ? kwargs : other.kwargs,
                    parentId != null ? parentId : other.parentId,
                    rootId != null ? rootId : other.rootId,
                    eta != null ? eta : other.eta,
                    expires != null ? expires : other.expires);
        }
    }

    /**
     * This change as the store keeps it when it is the first it hears of the task: an attempt or replay it does not
     * say is taken as 0.
     */
    public TaskChange asFirstStored() {
        return new TaskChange(
                id, state, attemptOr(0), replayOr(0), outcome, startedAt, description, progress, firstSeen, history);
    }

    /** The attempt, or {@code known} when this change does not say. */
    int attemptOr(int known) {
        return attempt != null ? attempt : known;
    }

    /** The replay, or {@code known} when this change does not say. */
    int replayOr(int known) {
        return replay != null ? replay : known;
    }

    /**
     * The change's rank in a task's life for the given attempt and replay: replays first, then {@link TaskStatus}'s
     * order. The store computes the same number in SQL.
     */
    static long precedence(TaskState state, int attempt, int replay) {
        return ((long) replay << REPLAY_SHIFT) | new TaskStatus(state, attempt).orderKey();
    }

    /** Bits below the replay count in {@link #precedence}: {@link TaskStatus#orderKey()} stays below 2^42. */
    static final int REPLAY_SHIFT = 42;

    /** The record of a task known only from this change: what a submit answers, as it is stored. */
    public TaskRecord toRecord() {
        return new TaskRecord(
                id,
                description.task(),
                description.queue(),
                state,
                attemptOr(0),
                description.args(),
                description.kwargs(),
                outcome.result(),
                outcome.resultTruncated(),
                outcome.errorType(),
                outcome.errorMessage(),
                outcome.traceback(),
                progress,
                outcome.worker(),
                description.parentId(),
                description.rootId(),
                description.eta(),
                description.expires(),
                firstSeen,
                startedAt,
                outcome.finishedAt());
    }
}
