package dev.celeriac.worker.internal.control;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Task ids revoked, each kept until the time its revocation says (for one that says none, the retention period):
 * the API announces a revocation again, with a later time, for as long as its task can still arrive, so memory holds
 * only revocations that can still matter. Listeners hear of each new revocation, so a worker can interrupt a running
 * task when asked to terminate it.
 */
public final class Revocations {

    /** A revocation: when, whether a running task is to be interrupted, and until when it is kept. */
    public record Revocation(Instant at, boolean terminate, Instant until) {}

    private final Map<String, Revocation> revoked = new ConcurrentHashMap<>();
    private final Duration retention;
    private final Clock clock;
    private volatile Consumer<String> onTerminate = id -> {};

    public Revocations(Duration retention, Clock clock) {
        this.retention = retention;
        this.clock = clock;
    }

    /** Records a revocation for the retention period; with {@code terminate}, a task running it is interrupted. */
    public void revoke(String taskId, boolean terminate) {
        revoke(taskId, terminate, null);
    }

    /**
     * Records a revocation kept until {@code until} (or for the retention period when {@code null}); with
     * {@code terminate}, a task running it is interrupted. A revocation heard again is kept until the later time.
     */
    public void revoke(String taskId, boolean terminate, Instant until) {
        Instant now = clock.instant();
        var revocation = new Revocation(now, terminate, until != null ? until : now.plus(retention));
        revoked.merge(
                taskId,
                revocation,
                (a, b) -> new Revocation(
                        a.at(), a.terminate() || b.terminate(), a.until().isAfter(b.until()) ? a.until() : b.until()));
        if (terminate) {
            onTerminate.accept(taskId);
        }
    }

    /** Whether the task was revoked. */
    public boolean isRevoked(String taskId) {
        return revoked.containsKey(taskId);
    }

    /** Sets who is told to interrupt a task revoked with terminate. */
    public void onTerminate(Consumer<String> listener) {
        this.onTerminate = listener;
    }

    /** Forgets revocations kept past their time: their tasks can no longer arrive. */
    public void expire() {
        Instant now = clock.instant();
        revoked.values().removeIf(r -> r.until().isBefore(now));
    }

    /** The ids of the revoked tasks. */
    public Set<String> ids() {
        return Set.copyOf(revoked.keySet());
    }

    /** Every revocation kept, by task id. */
    public Map<String, Revocation> all() {
        return Map.copyOf(revoked);
    }

    /** How many revocations are kept. */
    public int size() {
        return revoked.size();
    }
}
