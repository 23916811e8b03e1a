package dev.celeriac.api.internal.ledger;

import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.message.CeleryTimes;
import dev.celeriac.protocol.names.EventFields;
import dev.celeriac.protocol.state.TaskState;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Turns task events into {@link TaskChange}s and merges changes, with no storage: the rules by which the ledger's
 * record of a task follows its events. Events may arrive twice or out of order; merging never moves a task backwards
 * (replays first, then {@link dev.celeriac.protocol.state.TaskStatus#merge}'s order), and the data that goes with a
 * state (result, error, worker) is kept only while that state wins. The store applies exactly these rules inside SQL
 * when it merges a change into a stored record; the store's contract test holds the two to each other.
 */
public final class TaskProjection {

    private final int resultLimit;

    /** @param resultLimit largest result kept, in characters; larger results are cut and flagged */
    public TaskProjection(int resultLimit) {
        this.resultLimit = resultLimit;
    }

    /**
     * The events of a batch merged per task, in rounds to be written one after the other, each with at most one
     * change per task. Nearly always there is one round. An event that does not say its attempt or run (Celery's own
     * workers' events) belongs to the attempt known when it arrives: within a batch it is merged into the change
     * before it; but a change made only of such events belongs to what is stored, so an event after it that does say
     * its attempt starts the task's next round instead of being compared with it here.
     */
    public List<List<TaskChange>> fold(Collection<? extends TaskEvent> events) {
        var changes = new LinkedHashMap<String, List<TaskChange>>();
        for (TaskEvent event : events) {
            TaskChange change = change(event);
            List<TaskChange> task = changes.computeIfAbsent(event.uuid(), id -> new ArrayList<>(1));
            TaskChange last = task.isEmpty() ? null : task.getLast();
            if (last == null
                    || last.attempt() == null && change.attempt() != null
                    || last.replay() == null && change.replay() != null) {
                task.add(change);
            } else {
                task.set(task.size() - 1, merge(last, change));
            }
        }
        var rounds = new ArrayList<List<TaskChange>>();
        for (List<TaskChange> task : changes.values()) {
            for (int round = 0; round < task.size(); round++) {
                if (rounds.size() == round) {
                    rounds.add(new ArrayList<>(changes.size()));
                }
                rounds.get(round).add(task.get(round));
            }
        }
        return rounds;
    }

    /** The single change of events about one task whose attempt and run are all known (or all unknown). */
    public TaskChange foldOne(Collection<? extends TaskEvent> events) {
        List<List<TaskChange>> rounds = fold(events);
        if (rounds.size() != 1 || rounds.getFirst().size() != 1) {
            throw new IllegalArgumentException("the events make " + rounds.size() + " rounds, not one change");
        }
        return rounds.getFirst().getFirst();
    }

    /**
     * Merges a later-arriving change into an earlier one (or into what is stored). Within one replay, and then one
     * attempt, the later state of a task's life wins; a state that is not newer changes nothing but the history.
     */
    public static TaskChange merge(TaskChange earlier, TaskChange later) {
        int earlierReplay = earlier.replayOr(later.replayOr(0));
        int laterReplay = later.replayOr(earlierReplay);
        int earlierAttempt = earlier.attemptOr(later.attemptOr(0));
        int laterAttempt = later.attemptOr(earlierAttempt);
        boolean newer = TaskChange.precedence(later.state(), laterAttempt, laterReplay)
                > TaskChange.precedence(earlier.state(), earlierAttempt, earlierReplay);
        TaskChange winner = newer ? later : earlier;
        Integer replay =
                earlier.replay() == null && later.replay() == null ? null : Math.max(earlierReplay, laterReplay);
        Integer attempt = winner.attempt() == null && (newer ? earlier : later).attempt() == null
                ? null
                : newer ? laterAttempt : earlierAttempt;
        var history = new ArrayList<HistoryEntry>(
                earlier.history().size() + later.history().size());
        history.addAll(earlier.history());
        history.addAll(later.history());
        return new TaskChange(
                earlier.id(),
                winner.state(),
                attempt,
                replay,
                winner.outcome(),
                startedAt(earlier, earlierReplay, later, laterReplay),
                earlier.description().fillFrom(later.description()),
                progress(earlier, earlierReplay, later, laterReplay),
                earlier.firstSeen(),
                history);
    }

    /** The start of the latest attempt: a later replay's (even none, after a replay's reset), else the latest time. */
    private static Instant startedAt(TaskChange earlier, int earlierReplay, TaskChange later, int laterReplay) {
        if (laterReplay != earlierReplay) {
            return laterReplay > earlierReplay ? later.startedAt() : earlier.startedAt();
        }
        if (later.startedAt() == null) {
            return earlier.startedAt();
        }
        return earlier.startedAt() == null || later.startedAt().isAfter(earlier.startedAt())
                ? later.startedAt()
                : earlier.startedAt();
    }

    /** The latest progress report, unless the task had already ended; a replay's reset clears it. */
    private static String progress(TaskChange earlier, int earlierReplay, TaskChange later, int laterReplay) {
        if (laterReplay != earlierReplay) {
            return laterReplay > earlierReplay ? later.progress() : earlier.progress();
        }
        return later.progress() == null || earlier.state().isTerminal() ? earlier.progress() : later.progress();
    }

    /** What one event says of its task. */
    public TaskChange change(TaskEvent event) {
        Instant at = event.source().instant();
        String worker = event.source().hostname();
        Integer replay = event.extra().get(EventFields.REPLAY) instanceof Number n ? n.intValue() : null;
        if (replay == null && event instanceof TaskEvent.Sent) {
            replay = 0; // a producer sends a task's first run; the API's replays send no task-sent
        }
        Integer attempt = attemptOf(event);
        TaskState state = stateOf(event);
        var outcome = TaskChange.Outcome.by(worker);
        var description = TaskChange.Description.UNKNOWN;
        Instant startedAt = null;
        String progress = null;
        String detail = null;
        switch (event) {
            case TaskEvent.Sent sent -> {
                outcome = TaskChange.Outcome.NONE;
                description = new TaskChange.Description(
                        sent.name(),
                        sent.queue(),
                        sent.args(),
                        sent.kwargs(),
                        sent.parentId(),
                        sent.rootId(),
                        time(sent.eta()),
                        time(sent.expires()));
                detail = "sent by " + worker;
                worker = null;
            }
            case TaskEvent.Received received ->
                description = new TaskChange.Description(
                        received.name(),
                        received.extra().get(EventFields.QUEUE) instanceof String queue ? queue : null,
                        received.args(),
                        received.kwargs(),
                        received.parentId(),
                        received.rootId(),
                        time(received.eta()),
                        received.extra().get(EventFields.EXPIRES) instanceof String expires ? time(expires) : null);
            case TaskEvent.Started ignored -> startedAt = at;
            case TaskEvent.Succeeded succeeded -> {
                String result = succeeded.result();
                boolean truncated = result != null && result.length() > resultLimit;
                outcome = new TaskChange.Outcome(
                        worker, truncated ? result.substring(0, resultLimit) : result, truncated, null, null, null, at);
            }
            case TaskEvent.Failed failed -> {
                outcome = failure(worker, failed.exception(), failed.traceback(), at);
                detail = String.valueOf(failed.extra().getOrDefault(EventFields.REASON, ""));
            }
            case TaskEvent.Retried retried -> {
                outcome = failure(worker, retried.exception(), retried.traceback(), null);
                detail = retried.exception();
            }
            case TaskEvent.Revoked revoked -> {
                outcome = new TaskChange.Outcome(worker, null, false, null, null, null, at);
                detail = revoked.expired()
                        ? "expired"
                        : revoked.terminated()
                                ? "terminated"
                                : String.valueOf(revoked.extra().getOrDefault(EventFields.REASON, "revoked"));
            }
            case TaskEvent.Rejected rejected -> {
                detail = String.valueOf(rejected.extra().getOrDefault(EventFields.REASON, "rejected"));
                outcome = new TaskChange.Outcome(
                        worker,
                        null,
                        false,
                        "Rejected",
                        String.valueOf(rejected.extra().getOrDefault(EventFields.DETAIL, detail)),
                        null,
                        at);
            }
            case TaskEvent.Progress reported -> {
                // A progress report says nothing of the state: it ranks below every state, so only its report counts.
                progress = reported.progress();
                return new TaskChange(
                        event.uuid(),
                        TaskState.PENDING,
                        0,
                        replay,
                        TaskChange.Outcome.NONE,
                        null,
                        description,
                        progress,
                        at,
                        List.of());
            }
        }
        return new TaskChange(
                event.uuid(),
                state,
                attempt,
                replay,
                outcome,
                startedAt,
                description,
                progress,
                at,
                List.of(new HistoryEntry(at, state, attempt, replay == null ? 0 : replay, worker, detail)));
    }

    /** What the API records when it accepts a task: PENDING, from the first attempt of its first run. */
    public static TaskChange submitted(String id, TaskChange.Description description, Instant at) {
        return new TaskChange(
                id,
                TaskState.PENDING,
                0,
                0,
                TaskChange.Outcome.NONE,
                null,
                description,
                null,
                at,
                List.of(new HistoryEntry(at, TaskState.PENDING, 0, 0, null, "submitted")));
    }

    /**
     * What the API records before it puts a dead letter back on its queue: PENDING from attempt 0 of a new run,
     * which outranks everything of the runs before it, so the replayed run's events always win over theirs.
     */
    public static TaskChange replayed(
            String id, int replay, TaskChange.Description description, long deadLetterId, Instant at) {
        return new TaskChange(
                id,
                TaskState.PENDING,
                0,
                replay,
                TaskChange.Outcome.NONE,
                null,
                description,
                null,
                at,
                List.of(new HistoryEntry(
                        at, TaskState.PENDING, 0, replay, null, "replayed from dead letter " + deadLetterId)));
    }

    /** A task that can no longer run as recorded (its replay or its republish was refused): FAILURE in that run. */
    public static TaskChange abandoned(String id, int replay, String errorType, String reason, Instant at) {
        return new TaskChange(
                id,
                TaskState.FAILURE,
                null,
                replay,
                new TaskChange.Outcome(null, null, false, errorType, reason, null, at),
                null,
                TaskChange.Description.UNKNOWN,
                null,
                at,
                List.of(new HistoryEntry(at, TaskState.FAILURE, null, replay, null, reason)));
    }

    private static TaskChange.Outcome failure(String worker, String exception, String traceback, Instant finishedAt) {
        // Celery writes "Type('message')"; keep the type and the message apart.
        int paren = exception == null ? -1 : exception.indexOf('(');
        String type = paren > 0 ? exception.substring(0, paren) : exception;
        String message = paren > 0 && exception.endsWith(")")
                ? unquote(exception.substring(paren + 1, exception.length() - 1))
                : exception;
        return new TaskChange.Outcome(worker, null, false, type, message, traceback, finishedAt);
    }

    private static String unquote(String text) {
        if (text.length() >= 2
                && (text.startsWith("'") && text.endsWith("'") || text.startsWith("\"") && text.endsWith("\""))) {
            return text.substring(1, text.length() - 1).replace("\\'", "'");
        }
        return text;
    }

    /** A time an event gives in Celery's ISO 8601 form, or {@code null} when it gives none or a malformed one. */
    private static Instant time(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return CeleryTimes.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static TaskState stateOf(TaskEvent event) {
        return switch (event) {
            case TaskEvent.Sent ignored -> TaskState.PENDING;
            case TaskEvent.Received ignored -> TaskState.RECEIVED;
            case TaskEvent.Started ignored -> TaskState.STARTED;
            case TaskEvent.Succeeded ignored -> TaskState.SUCCESS;
            case TaskEvent.Failed ignored -> TaskState.FAILURE;
            case TaskEvent.Retried ignored -> TaskState.RETRY;
            case TaskEvent.Revoked ignored -> TaskState.REVOKED;
            case TaskEvent.Rejected ignored -> TaskState.FAILURE;
            case TaskEvent.Progress ignored -> TaskState.PENDING;
        };
    }

    /**
     * The attempt an event belongs to: its {@code retries} (Celeriac adds it to every task event; on
     * {@code task-retried} it is the next attempt's), or {@code null} when it has none.
     */
    static Integer attemptOf(TaskEvent event) {
        return switch (event) {
            case TaskEvent.Received received -> received.retries();
            case TaskEvent.Sent sent -> sent.retries();
            case TaskEvent.Retried retried ->
                retried.extra().get(EventFields.RETRIES) instanceof Number n ? Math.max(0, n.intValue() - 1) : null;
            default -> event.extra().get(EventFields.RETRIES) instanceof Number n ? n.intValue() : null;
        };
    }
}
