package dev.celeriac.api.submit;

import dev.celeriac.api.internal.ledger.TaskRecord;
import dev.celeriac.api.internal.ledger.TaskStore;
import dev.celeriac.api.problems.Problems;
import dev.celeriac.api.query.TaskView;
import java.net.URI;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /api/v1/tasks/{id}/retry}: runs a finished task again, with the same arguments, as a new task; {@code
 * 202} with the new task and its {@code Location}.
 */
@RestController
@RequestMapping("/api/v1/tasks")
public class TaskRetryController {

    private final TaskStore tasks;
    private final Resubmitter resubmitter;
    private final JsonMapper json;

    public TaskRetryController(TaskStore tasks, Resubmitter resubmitter, JsonMapper json) {
        this.tasks = tasks;
        this.resubmitter = resubmitter;
        this.json = json;
    }

    @PostMapping("/{id}/retry")
    public ResponseEntity<TaskView> retry(@PathVariable String id) {
        TaskRecord original = tasks.find(id).orElseThrow(() -> Problems.taskNotFound(id));
        TaskRecord again = resubmitter.resubmit(original);
        return ResponseEntity.accepted()
                .location(URI.create("/api/v1/tasks/" + again.id()))
                .body(TaskView.of(again, json));
    }
}
