package dev.celeriac.api.workers;

import dev.celeriac.api.problems.Problems;
import dev.celeriac.protocol.control.RateLimit;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** {@code GET /api/v1/workers}, and Celery's remote control of them ({@code PUT .../rate-limits/{task}}). */
@RestController
@RequestMapping("/api/v1")
public class WorkersController {

    /** A worker as shown: {@code alive} from its heartbeats. */
    public record WorkerView(WorkerRegistry.Worker worker, boolean alive) {}

    /**
     * A new rate limit of a task type on the workers.
     *
     * @param rateLimit the limit per worker, in Celery's syntax ({@code 10/s}, {@code 100/m}, {@code 1000/h}); {@code 0}
     *     lifts it
     * @param workers the workers it is for, by name; every worker when missing
     */
    public record RateLimitChange(String rateLimit, List<String> workers) {}

    /** What each worker that answered said, by worker name (Celery's {@code {"ok": …}} or {@code {"error": …}}). */
    public record ControlReplies(String task, String rateLimit, Map<String, JsonNode> replies) {}

    /** How long the workers have to answer a command, as {@code celery control}'s default. */
    static final Duration REPLY_TIMEOUT = Duration.ofSeconds(1);

    private final WorkerRegistry workers;
    private final WorkerControl control;
    private final JsonMapper mapper;
    private final Clock clock;

    public WorkersController(WorkerRegistry workers, WorkerControl control, JsonMapper mapper, Clock clock) {
        this.workers = workers;
        this.control = control;
        this.mapper = mapper;
        this.clock = clock;
    }

    /** Live and recently seen workers. */
    @GetMapping("/workers")
    public Map<String, List<WorkerView>> workers() {
        Instant cutoff = clock.instant().minus(WorkerRegistry.ALIVE);
        return Map.of(
                "workers",
                workers.all().stream()
                        .map(w -> new WorkerView(w, WorkerRegistry.isAlive(w, cutoff)))
                        .toList());
    }

    /**
     * Sets a task type's rate limit on the workers from now on, as {@code celery control rate_limit} does: every
     * worker that answers within a second says whether it took it. Admin only.
     */
    @PutMapping("/workers/rate-limits/{task}")
    public ControlReplies rateLimit(@PathVariable String task, @RequestBody RateLimitChange change)
            throws InterruptedException {
        if (change == null || change.rateLimit() == null || change.rateLimit().isBlank()) {
            throw Problems.badRequest("rateLimit is required: tasks per second, minute or hour, as in 10/s, or 0");
        }
        try {
            RateLimit.parse(change.rateLimit());
        } catch (IllegalArgumentException e) {
            throw Problems.problem(
                    HttpStatus.UNPROCESSABLE_CONTENT, "invalid-rate-limit", "Invalid rate limit", e.getMessage());
        }
        ObjectNode arguments = mapper.createObjectNode().put("task_name", task).put("rate_limit", change.rateLimit());
        Map<String, JsonNode> replies;
        try {
            replies = control.call("rate_limit", arguments, change.workers(), REPLY_TIMEOUT);
        } catch (IOException e) {
            throw Problems.problem(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "broker-unavailable",
                    "Broker unavailable",
                    "the command could not be sent to the workers: " + e.getMessage());
        }
        if (replies.isEmpty()) {
            throw Problems.problem(
                    HttpStatus.GATEWAY_TIMEOUT,
                    "no-worker-answered",
                    "No worker answered",
                    "no worker" + (change.workers() == null ? "" : " of " + change.workers()) + " answered within "
                            + REPLY_TIMEOUT.toSeconds() + " s");
        }
        return new ControlReplies(task, change.rateLimit(), replies);
    }
}
