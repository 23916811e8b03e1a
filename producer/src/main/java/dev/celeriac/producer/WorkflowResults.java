package dev.celeriac.producer;

import dev.celeriac.protocol.state.TaskState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;

/**
 * The results of a workflow's result tasks (a chain's last step, each member of a group, each input of a map, each
 * chunk, a chord's body) as they arrive, pushed by the workers that finish them: in the order they complete
 * ({@link #asCompleted}, Python's {@code as_completed}), in the workflow's order ({@link #inOrder},
 * {@code executor.map}), or all at once ({@link #all}). A failed task is a result with its error; it does not
 * sink the others. Results are sent to this client while it runs; the ledger keeps them for anyone later.
 */
public final class WorkflowResults {

    /**
     * One result task's end.
     *
     * @param index its place among the workflow's result tasks
     * @param state {@code SUCCESS}, {@code FAILURE} or {@code REVOKED}
     * @param value what it returned, or {@code null} unless it succeeded
     * @param error {@code "<type>: <message>"} of a failure or revocation, or {@code null}
     */
    public record Result(String taskId, int index, TaskState state, JsonNode value, String error) {

        /** Whether the task returned a value. */
        public boolean succeeded() {
            return state == TaskState.SUCCESS;
        }
    }

    private final WorkflowHandle handle;
    private final List<CompletableFuture<Result>> results;
    private final BlockingQueue<Result> completed = new LinkedBlockingQueue<>();

    /** Results that complete the given futures, one per result task of {@code handle}, in its order. */
    public WorkflowResults(WorkflowHandle handle, List<CompletableFuture<Result>> results) {
        this.handle = Objects.requireNonNull(handle, "handle");
        this.results = List.copyOf(results);
        if (this.results.size() != handle.resultIds().size()) {
            throw new IllegalArgumentException("one result per result task");
        }
        this.results.forEach(r -> r.thenAccept(completed::add));
    }

    /** The submitted workflow. */
    public WorkflowHandle handle() {
        return handle;
    }

    /** The result of the {@code index}-th result task, when it arrives. */
    public CompletableFuture<Result> result(int index) {
        return results.get(index);
    }

    /** Every result, in the workflow's order, once all have arrived. */
    public CompletableFuture<List<Result>> all() {
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .thenApply(done -> results.stream().map(CompletableFuture::join).toList());
    }

    /**
     * Every result, in the workflow's order, each as soon as it and those before it have arrived.
     *
     * @throws TimeoutException if they have not all arrived within {@code timeout}
     */
    public List<Result> inOrder(Duration timeout) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        var ordered = new ArrayList<Result>(results.size());
        for (CompletableFuture<Result> result : results) {
            try {
                ordered.add(result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        return ordered;
    }

    /**
     * Every result, in the order they complete: the next call returns the next to arrive.
     *
     * @throws TimeoutException if they have not all arrived within {@code timeout}
     */
    public List<Result> asCompleted(Duration timeout) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        var arrived = new ArrayList<Result>(results.size());
        while (arrived.size() < results.size()) {
            Result next = completed.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (next == null) {
                throw new TimeoutException(
                        arrived.size() + " of " + results.size() + " results arrived within " + timeout);
            }
            arrived.add(next);
        }
        return arrived;
    }

    /** The next result to complete, or {@code null} if none does within {@code timeout}. */
    public Result next(Duration timeout) throws InterruptedException {
        return completed.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
