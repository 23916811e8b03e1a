package dev.celeriac.protocol.state;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states of a task, with Celery's names.
 *
 * <p>Within one attempt a task moves {@code PENDING → RECEIVED → STARTED → RETRY}; a retry starts the next attempt
 * at {@code RECEIVED} again. {@code SUCCESS}, {@code FAILURE} and {@code REVOKED} are terminal. The
 * {@link #rank() rank} orders states within an attempt; terminal states rank above every other and among
 * themselves follow Celery's precedence (a success that is known outranks a failure or revocation that was
 * recorded for the same task).
 */
public enum TaskState {
    /** Accepted by the broker; queued or waiting for its ETA. */
    PENDING(0, false),
    /** Delivered to a worker, not yet started. */
    RECEIVED(1, false),
    /** Running on a worker. */
    STARTED(2, false),
    /** Failed and scheduled to run again. */
    RETRY(3, false),
    /** Revoked (or expired) before it finished; it will not run. */
    REVOKED(4, true),
    /** Failed for good; the message is in its queue's dead-letter queue. */
    FAILURE(5, true),
    /** Finished with a result. */
    SUCCESS(6, true);

    private final int rank;
    private final boolean terminal;

    TaskState(int rank, boolean terminal) {
        this.rank = rank;
        this.terminal = terminal;
    }

    /** Order within one attempt; terminal states outrank all others. */
    public int rank() {
        return rank;
    }

    /** Whether the task is finished and this state is final. */
    public boolean isTerminal() {
        return terminal;
    }

    /**
     * The states a task may move to from this one by an event of the same attempt. A retry ({@code RETRY}) leads to
     * the next attempt, whose events may again be {@code RECEIVED} or {@code STARTED}; that step is allowed by
     * {@link TaskStatus#merge} through the attempt number, not by this table.
     */
    public Set<TaskState> next() {
        return switch (this) {
            case PENDING -> EnumSet.of(RECEIVED, STARTED, RETRY, REVOKED, FAILURE, SUCCESS);
            case RECEIVED -> EnumSet.of(STARTED, RETRY, REVOKED, FAILURE, SUCCESS);
            case STARTED -> EnumSet.of(RETRY, REVOKED, FAILURE, SUCCESS);
            case RETRY -> EnumSet.of(REVOKED, FAILURE, SUCCESS);
            case REVOKED -> EnumSet.of(FAILURE, SUCCESS);
            case FAILURE -> EnumSet.of(SUCCESS);
            case SUCCESS -> EnumSet.noneOf(TaskState.class);
        };
    }

    /** Whether an event of the same attempt may move a task from this state to the given one. */
    public boolean canMoveTo(TaskState state) {
        return next().contains(state);
    }
}
