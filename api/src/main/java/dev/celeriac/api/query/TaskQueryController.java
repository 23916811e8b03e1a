package dev.celeriac.api.query;

import dev.celeriac.api.internal.ledger.HistoryEntry;
import dev.celeriac.api.internal.ledger.TaskCompletions;
import dev.celeriac.api.internal.ledger.TaskFilter;
import dev.celeriac.api.internal.ledger.TaskRecord;
import dev.celeriac.api.internal.ledger.TaskStore;
import dev.celeriac.api.problems.Problems;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/** {@code GET /api/v1/tasks/{id}}: a task from the ledger; an id never seen is 404, never PENDING. */
@RestController
@RequestMapping("/api/v1/tasks")
public class TaskQueryController {

    /** Longest {@code ?wait}. */
    static final int MAX_WAIT_SECONDS = 60;

    private final TaskStore tasks;
    private final TaskCompletions completions;
    private final JsonMapper json;
    private final Duration recheck;

    public TaskQueryController(TaskStore tasks, TaskCompletions completions, QuerySettings settings, JsonMapper json) {
        this.recheck = settings.waitRecheck();
        this.tasks = tasks;
        this.completions = completions;
        this.json = json;
    }

    /** A page of tasks. */
    public record TaskPage(List<TaskView> tasks, String nextCursor) {}

    /**
     * Tasks, newest first, filtered by state, task name, queue, the task that sent them, text in their arguments and
     * the time they were submitted; {@code cursor} continues a previous page.
     */
    @GetMapping
    public TaskPage list(
            @RequestParam(required = false) String state,
            @RequestParam(required = false) String task,
            @RequestParam(required = false) String queue,
            @RequestParam(required = false) String parent,
            @RequestParam(required = false) String search,
            @RequestParam(required = false) String since,
            @RequestParam(required = false) String until,
            @RequestParam(defaultValue = "50") int limit,
            @RequestParam(required = false) String cursor) {
        if (limit < 1 || limit > 500) {
            throw Problems.badRequest("limit must be 1 to 500, was " + limit);
        }
        TaskFilter filter = TaskFilters.of(state, task, queue, parent, search, since, until);
        TaskStore.Page page;
        try {
            page = tasks.page(filter, limit, cursor);
        } catch (IllegalArgumentException e) {
            throw Problems.badRequest(e.getMessage());
        }
        return new TaskPage(page.tasks().stream().map(r -> TaskView.of(r, json)).toList(), page.nextCursor());
    }

    /** The state changes of a task, oldest first, with the worker and a detail (e.g. a replay). */
    @GetMapping("/{id}/history")
    public TaskHistory history(@PathVariable String id) {
        tasks.find(id).orElseThrow(() -> Problems.taskNotFound(id));
        return new TaskHistory(id, tasks.history(id));
    }

    /** A task's state changes, oldest first. */
    public record TaskHistory(String id, List<HistoryEntry> history) {}

    /**
     * A task; with {@code wait=N} (at most 60), the answer waits up to N seconds for the task to finish and returns
     * as soon as it has.
     */
    @GetMapping("/{id}")
    public TaskView get(@PathVariable String id, @RequestParam(defaultValue = "0") int wait)
            throws InterruptedException {
        if (wait < 0 || wait > MAX_WAIT_SECONDS) {
            throw Problems.badRequest("wait must be 0 to " + MAX_WAIT_SECONDS + " seconds, was " + wait);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(wait).toNanos();
        Optional<TaskRecord> found = tasks.find(id);
        while (found.isPresent() && !found.get().state().isTerminal() && System.nanoTime() < deadline) {
            CompletableFuture<Void> finished = completions.watch(id);
            try {
                // Read again after starting to watch, or an end committed in between would be missed.
                found = tasks.find(id);
                if (found.isEmpty() || found.get().state().isTerminal()) {
                    break;
                }
                long slice = Math.min(deadline - System.nanoTime(), recheck.toNanos());
                finished.get(Math.max(slice, 0), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // Another API instance may have recorded it: read the ledger again.
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            } finally {
                completions.unwatch(id, finished);
            }
            found = tasks.find(id);
        }
        TaskRecord task = found.orElseThrow(() -> Problems.taskNotFound(id));
        TaskView view = TaskView.of(task, json);
        return task.state().isTerminal()
                ? view
                : view.revokedAt(tasks.revokedAt(id).orElse(null));
    }
}
