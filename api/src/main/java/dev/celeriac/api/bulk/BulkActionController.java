package dev.celeriac.api.bulk;

import dev.celeriac.api.internal.ledger.TaskFilter;
import dev.celeriac.api.internal.ledger.TaskRecord;
import dev.celeriac.api.internal.ledger.TaskStore;
import dev.celeriac.api.problems.Problems;
import dev.celeriac.api.query.TaskFilters;
import dev.celeriac.api.revoke.TaskRevoker;
import dev.celeriac.api.submit.Resubmitter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/tasks/bulk}: one action on every task a filter matches (the newest {@value #MAX_TASKS} at most),
 * as the task list's filter reads it. {@code "dryRun": true} only counts what the action would touch, so that a person
 * sees the count before acting. Tasks the action does not apply to (revoking a finished task, running an unfinished
 * one again) are counted and left alone.
 */
@RestController
@RequestMapping("/api/v1/tasks/bulk")
public class BulkActionController {

    /** Most tasks one bulk action touches. */
    static final int MAX_TASKS = 1000;

    /** What a bulk action does to each task it applies to. */
    public enum Action {
        /** Revoke a task that has not finished. */
        REVOKE,
        /** Revoke a task that has not finished, interrupting it if it runs. */
        TERMINATE,
        /** Run a finished task again with the same arguments, as a new task. */
        RETRY;

        boolean appliesTo(TaskRecord task) {
            return this == RETRY ? task.state().isTerminal() : !task.state().isTerminal();
        }
    }

    /**
     * @param action {@code revoke}, {@code terminate} or {@code retry}
     * @param limit most tasks to touch, newest first (1 to 1,000, 1,000 if absent)
     * @param dryRun count only
     */
    public record BulkRequest(
            String action,
            String state,
            String task,
            String queue,
            String search,
            String since,
            String until,
            Integer limit,
            Boolean dryRun) {}

    /**
     * @param matched tasks the filter matched, up to the limit
     * @param more whether the filter matched more tasks than the limit
     * @param applicable of those, the ones the action applies to
     * @param done what the action did: the tasks revoked, or the new tasks of those run again (empty on a dry run)
     * @param refused tasks the action applied to but could not act on, with why
     */
    public record BulkResult(
            Action action,
            boolean dryRun,
            int matched,
            boolean more,
            int applicable,
            List<Done> done,
            List<Refusal> refused) {}

    /** A task acted on; {@code newTaskId} is the new task of a retry. */
    public record Done(String taskId, String newTaskId) {}

    /** A task the action could not act on. */
    public record Refusal(String taskId, String detail) {}

    private final TaskStore tasks;
    private final TaskRevoker revoker;
    private final Resubmitter resubmitter;

    public BulkActionController(TaskStore tasks, TaskRevoker revoker, Resubmitter resubmitter) {
        this.tasks = tasks;
        this.revoker = revoker;
        this.resubmitter = resubmitter;
    }

    @PostMapping
    public BulkResult act(@RequestBody BulkRequest request) {
        if (request == null || request.action() == null) {
            throw Problems.badRequest("'action' is required: one of " + actions());
        }
        Action action;
        try {
            action = Action.valueOf(request.action().strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw Problems.badRequest("'action' must be one of " + actions() + ", was '" + request.action() + "'");
        }
        int limit = request.limit() == null ? MAX_TASKS : request.limit();
        if (limit < 1 || limit > MAX_TASKS) {
            throw Problems.badRequest("'limit' must be 1 to " + MAX_TASKS + ", was " + limit);
        }
        TaskFilter filter = TaskFilters.of(
                request.state(),
                request.task(),
                request.queue(),
                null,
                request.search(),
                request.since(),
                request.until());
        TaskStore.Page page = tasks.page(filter, limit, null);
        List<TaskRecord> matched = page.tasks();
        boolean more = page.nextCursor() != null;
        List<TaskRecord> applicable = matched.stream().filter(action::appliesTo).toList();
        boolean dryRun = Boolean.TRUE.equals(request.dryRun());
        var done = new ArrayList<Done>();
        var refused = new ArrayList<Refusal>();
        if (!dryRun) {
            switch (action) {
                case REVOKE, TERMINATE ->
                    applicable.forEach(task -> {
                        revoker.revoke(task.id(), action == Action.TERMINATE);
                        done.add(new Done(task.id(), null));
                    });
                case RETRY -> {
                    for (Resubmitter.Outcome outcome : resubmitter.resubmitAll(applicable)) {
                        switch (outcome) {
                            case Resubmitter.Resubmitted sent ->
                                done.add(new Done(sent.originalId(), sent.task().id()));
                            case Resubmitter.Refused no -> refused.add(new Refusal(no.originalId(), no.detail()));
                        }
                    }
                }
            }
        }
        return new BulkResult(action, dryRun, matched.size(), more, applicable.size(), done, refused);
    }

    private static String actions() {
        return Arrays.stream(Action.values())
                .map(a -> a.name().toLowerCase(Locale.ROOT))
                .toList()
                .toString();
    }
}
