package dev.celeriac.worker.control;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Task ids revoked recently, kept for a retention period (a revoke older than any task's life is no longer
 * needed). Listeners hear of each new revocation, so a worker can interrupt a running task when asked to terminate
 * it.
 */
public final class Revocations {

    /** A revocation: when, and whether a running task is to be interrupted. */
    public record Revocation(Instant at, boolean terminate) {}

    private final Map<String, Revocation> revoked = new ConcurrentHashMap<>();
    private final Duration retention;
    private final Clock clock;
    private volatile Consumer<String> onTerminate = id -> {};

    public Revocations(Duration retention, Clock clock) {
        this.retention = retention;
        this.clock = clock;
    }

    /** Records a revocation; with {@code terminate}, a task running it is interrupted. */
    public void revoke(String taskId, boolean terminate) {
        revoked.merge(taskId, new Revocation(clock.instant(), terminate), (a, b) -> a.terminate() ? a : b);
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

    /** Forgets revocations older than the retention. */
    public void expire() {
        Instant cutoff = clock.instant().minus(retention);
        revoked.values().removeIf(r -> r.at().isBefore(cutoff));
    }

    /** The ids of the revoked tasks. */
    public java.util.Set<String> ids() {
        return java.util.Set.copyOf(revoked.keySet());
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
