package dev.celeriac.api.workflows;

import dev.celeriac.api.problems.Problems;
import dev.celeriac.api.submit.SubmitSettings;
import dev.celeriac.api.workers.WorkerRegistry;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.Workflow;
import dev.celeriac.producer.WorkflowHandle;
import dev.celeriac.protocol.message.CodecLimits;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /api/v1/workflows}: a chain, group, chord, map, starmap or chunks ({@link WorkflowRequests} reads it),
 * validated whole before anything is sent, then submitted as the Java client submits it: each chord defined in the
 * ledger, confirmed, before its header tasks are sent, and the tasks that start the workflow confirmed by the broker
 * before the answer, 202 with every task's id and the workflow's {@code Location}.
 */
@RestController
@RequestMapping("/api/v1/workflows")
public class WorkflowSubmitController {

    /**
     * A workflow the broker has confirmed.
     *
     * @param id the workflow's id (its first task's, the {@code rootId} of every task in it)
     * @param taskIds every task of the workflow, in the order the request lists them (callbacks after their step)
     * @param resultIds the tasks whose results are the workflow's: a chain's last step, each member of a group or
     *     map, each chunk, a chord's body
     */
    public record Accepted(String id, List<String> taskIds, List<String> resultIds) {}

    private final TaskClient client;
    private final WorkerRegistry workers;
    private final CodecLimits limits;
    private final boolean allowUnknownTasks;
    private final JsonMapper json;

    public WorkflowSubmitController(
            TaskClient client, WorkerRegistry workers, CodecLimits limits, SubmitSettings settings, JsonMapper json) {
        this.client = client;
        this.workers = workers;
        this.limits = limits;
        this.allowUnknownTasks = settings.allowUnknownTasks();
        this.json = json;
    }

    @PostMapping
    public ResponseEntity<Accepted> submit(
            @RequestBody JsonNode body,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        if (idempotencyKey != null) {
            throw Problems.badRequest("Idempotency-Key is taken by POST /api/v1/tasks only; a workflow is sent again"
                    + " as a new workflow, so send it without the header and look it up by the id answered");
        }
        Workflow workflow =
                WorkflowRequests.read(body, json, limits, task -> allowUnknownTasks || workers.isRegistered(task));
        WorkflowHandle handle;
        try {
            handle = client.submit(workflow);
        } catch (IllegalArgumentException e) {
            throw Problems.invalid(e.getMessage());
        }
        return ResponseEntity.accepted()
                .location(URI.create("/api/v1/workflows/" + handle.rootId()))
                .body(new Accepted(handle.rootId(), handle.taskIds(), handle.resultIds()));
    }
}
