package dev.celeriac.api.workflows;

import dev.celeriac.api.internal.ledger.TaskFilter;
import dev.celeriac.api.internal.ledger.TaskStore;
import dev.celeriac.api.internal.workflow.ChordStore;
import dev.celeriac.api.problems.Problems;
import dev.celeriac.api.query.TaskView;
import dev.celeriac.protocol.state.TaskState;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /api/v1/workflows/{id}}: every task of a workflow (its first task's id is the workflow's id, the
 * {@code rootId} of all its tasks) with its state, how many are in each state, and its chords' joins.
 */
@RestController
@RequestMapping("/api/v1/workflows")
public class WorkflowController {

    private final TaskStore tasks;
    private final ChordStore chords;
    private final JsonMapper json;

    public WorkflowController(TaskStore tasks, ChordStore chords, JsonMapper json) {
        this.tasks = tasks;
        this.chords = chords;
        this.json = json;
    }

    /**
     * A workflow as the ledger has it.
     *
     * @param id the workflow's id
     * @param states how many of its tasks are in each state
     * @param finished whether every task the ledger knows of it has finished and no chord still waits
     * @param chords its chords
     * @param tasks a page of its tasks, newest first
     * @param nextCursor continues the page, or {@code null} after the last
     */
    public record WorkflowView(
            String id,
            Map<TaskState, Long> states,
            boolean finished,
            List<ChordStore.Summary> chords,
            List<TaskView> tasks,
            String nextCursor) {}

    @GetMapping("/{id}")
    public WorkflowView get(
            @PathVariable String id,
            @RequestParam(defaultValue = "100") int limit,
            @RequestParam(required = false) String cursor) {
        if (limit < 1 || limit > 1000) {
            throw Problems.badRequest("limit must be 1 to 1000, was " + limit);
        }
        Map<TaskState, Long> states = tasks.statesOfWorkflow(id);
        List<ChordStore.Summary> ofWorkflow = chords.ofWorkflow(id);
        if (states.isEmpty() && ofWorkflow.isEmpty()) {
            throw Problems.workflowNotFound(id);
        }
        TaskStore.Page page;
        try {
            page = tasks.page(TaskFilter.ofWorkflow(id), limit, cursor);
        } catch (IllegalArgumentException e) {
            throw Problems.badRequest(e.getMessage());
        }
        boolean finished = states.keySet().stream().allMatch(TaskState::isTerminal)
                && ofWorkflow.stream().allMatch(c -> c.firedAt() != null);
        return new WorkflowView(
                id,
                states,
                finished,
                ofWorkflow,
                page.tasks().stream().map(r -> TaskView.of(r, json)).toList(),
                page.nextCursor());
    }
}
