package dev.celeriac.protocol.state;

import java.util.Comparator;
import java.util.Objects;

/**
 * A task's state together with the attempt it belongs to (Celery's {@code retries} count, 0 for the first run).
 *
 * @param state the state
 * @param attempt the attempt, 0 or more
 */
public record TaskStatus(TaskState state, int attempt) {

    public TaskStatus {
        Objects.requireNonNull(state, "state");
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must not be negative, was " + attempt);
        }
    }

    /** The status of a task that was just accepted. */
    public static TaskStatus pending() {
        return new TaskStatus(TaskState.PENDING, 0);
    }

    /**
     * Merges an incoming update into the current status, so that events that arrive twice or out of order never move
     * a task backwards. The result is the same whatever order a set of updates arrives in.
     *
     * <ol>
     *   <li>A terminal state is kept unless the update is a terminal state of higher rank.
     *   <li>A terminal update wins over any non-terminal state.
     *   <li>Between non-terminal states, the later attempt wins; within one attempt, the higher rank wins.
     * </ol>
     *
     * @param current the recorded status, or {@code null} if none is recorded
     * @param incoming the update
     * @return the merged status, which is {@code current} itself when the update changes nothing
     */
    public static TaskStatus merge(TaskStatus current, TaskStatus incoming) {
        Objects.requireNonNull(incoming, "incoming");
        if (current == null) {
            return incoming;
        }
        return precedes(current, incoming) ? incoming : current;
    }

    /**
     * Attempts above this share one {@link #orderKey()}: a task retried a million times is a task gone wrong, and its
     * later attempts are ordered among themselves only by state.
     */
    public static final int MAX_ORDERED_ATTEMPT = (1 << 20) - 1;

    /**
     * This status as one number in the order of {@link #merge}: for statuses whose attempts are at most
     * {@link #MAX_ORDERED_ATTEMPT}, {@code a.orderKey() < b.orderKey()} exactly when {@code precedes(a, b)}. A store
     * compares keys instead of statuses, so that the precedence rule holds inside one SQL statement. The key is below
     * 2<sup>42</sup>, leaving the bits above it to a store's own higher-ranking counters (a replay generation).
     */
    public long orderKey() {
        long ordered = Math.min(attempt, MAX_ORDERED_ATTEMPT);
        return state.isTerminal() ? (1L << 41) | ((long) state.rank() << 21) | ordered : (ordered << 21) | state.rank();
    }

    /** Whether {@code incoming} is strictly later than {@code current} in a task's life. */
    public static boolean precedes(TaskStatus current, TaskStatus incoming) {
        return ORDER.compare(incoming, current) > 0;
    }

    /**
     * The order of a task's life as one total order, so that merging is taking the maximum: non-terminal statuses by
     * attempt, then rank; every terminal status after them, by rank, then attempt.
     */
    private static final Comparator<TaskStatus> ORDER = Comparator.comparing((TaskStatus s) -> s.state.isTerminal())
            .thenComparingInt(s -> s.state.isTerminal() ? s.state.rank() : s.attempt)
            .thenComparingInt(s -> s.state.isTerminal() ? s.attempt : s.state.rank());
}
