package dev.celeriac.api.internal.ledger;

import dev.celeriac.protocol.state.TaskState;
import java.time.Instant;
import java.util.Objects;

/**
 * One state change of a task, as its history shows it.
 *
 * @param at when it happened (the event's own time)
 * @param state the state the task entered
 * @param attempt the attempt it belongs to, or {@code null} when its event did not say (Celery's own task-started)
 * @param replay how many replays from a dead letter came before the run it belongs to
 * @param worker the worker that reported it, or {@code null}
 * @param detail why, when the state alone does not say (a failure's reason, a replay's dead letter)
 */
public record HistoryEntry(Instant at, TaskState state, Integer attempt, int replay, String worker, String detail) {

    public HistoryEntry {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(state, "state");
    }
}
