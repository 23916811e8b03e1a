package dev.celeriac.api.internal.ledger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells requests that wait for a task ({@code ?wait}) that this API instance's recorder has just committed its end,
 * so that they answer at once instead of reading the ledger over and over. Another instance's recorder may commit it
 * instead: waiters still re-read the ledger now and then.
 */
public final class TaskCompletions {

    private final Map<String, List<CompletableFuture<Void>>> waiting = new ConcurrentHashMap<>();

    /** Starts watching a task; the future completes when its end is committed here. Call {@link #unwatch} after. */
    public CompletableFuture<Void> watch(String taskId) {
        var future = new CompletableFuture<Void>();
        waiting.compute(taskId, (id, list) -> {
            var watchers = list == null ? new ArrayList<CompletableFuture<Void>>() : list;
            watchers.add(future);
            return watchers;
        });
        return future;
    }

    /** Stops watching. */
    public void unwatch(String taskId, CompletableFuture<Void> future) {
        waiting.computeIfPresent(taskId, (id, list) -> {
            list.remove(future);
            return list.isEmpty() ? null : list;
        });
    }

    /** Wakes whoever waits for these tasks, which have just ended (called after the commit). */
    public void finished(Collection<String> taskIds) {
        for (String id : taskIds) {
            List<CompletableFuture<Void>> watchers = waiting.remove(id);
            if (watchers != null) {
                watchers.forEach(future -> future.complete(null));
            }
        }
    }

    /** Tasks being watched now. */
    int watched() {
        return waiting.size();
    }
}
