package dev.celeriac.api.revoke;

import dev.celeriac.api.internal.ledger.TaskRecord;
import dev.celeriac.api.internal.ledger.TaskStore;
import dev.celeriac.api.problems.Problems;
import dev.celeriac.api.query.TaskView;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code DELETE /api/v1/tasks/{id}}: revokes a task that has not finished. The revocation is stored in the ledger,
 * then published to the workers' revocation stream, which workers that start later read too, and announced there
 * again for as long as the task can still arrive ({@link RevocationAnnouncer}); with {@code ?terminate=true} a running
 * task is interrupted. A finished task cannot be revoked (409).
 */
@RestController
@RequestMapping("/api/v1/tasks")
public class TaskRevokeController {

    private final TaskStore tasks;
    private final TaskRevoker revoker;
    private final JsonMapper json;

    public TaskRevokeController(TaskStore tasks, TaskRevoker revoker, JsonMapper json) {
        this.tasks = tasks;
        this.revoker = revoker;
        this.json = json;
    }

    @DeleteMapping("/{id}")
    public ResponseEntity<TaskView> revoke(
            @PathVariable String id, @RequestParam(defaultValue = "false") boolean terminate) {
        TaskRecord task = tasks.find(id).orElseThrow(() -> Problems.taskNotFound(id));
        if (task.state().isTerminal()) {
            throw Problems.problem(
                    HttpStatus.CONFLICT,
                    "task-finished",
                    "Task already finished",
                    "task " + id + " is " + task.state() + " and can no longer be revoked");
        }
        revoker.revoke(id, terminate);
        return ResponseEntity.accepted().body(TaskView.of(task, json));
    }
}
