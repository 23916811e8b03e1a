package dev.celeriac.api.query;

import dev.celeriac.api.ledger.TaskLedger;
import dev.celeriac.api.ledger.TaskRecord;
import dev.celeriac.api.problems.Problems;
import java.time.Duration;
import java.util.Optional;
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

    private final TaskLedger ledger;
    private final JsonMapper json;

    public TaskQueryController(TaskLedger ledger, JsonMapper json) {
        this.ledger = ledger;
        this.json = json;
    }

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
        Optional<TaskRecord> found = ledger.find(id);
        while (found.isPresent() && !found.get().state().isTerminal() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            found = ledger.find(id);
        }
        return TaskView.of(found.orElseThrow(() -> Problems.taskNotFound(id)), json);
    }
}
