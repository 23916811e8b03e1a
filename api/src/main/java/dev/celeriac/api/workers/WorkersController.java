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
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /api/v1/workers}, and Celery's remote control of them: rate limits, ping, shutdown and pool size. Every
 * command but the list is admin only.
 */
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
        return new ControlReplies(task, change.rateLimit(), call("rate_limit", arguments, change.workers()));
    }

    /** The workers addressed by a command; every worker when {@code workers} is missing or empty. */
    public record Addressed(List<String> workers) {}

    /** What each worker that answered a command said, by worker name. */
    public record Replies(String command, Map<String, JsonNode> replies) {}

    /** Celery's {@code ping}: every worker (or those named) that answers within a second says {@code pong}. */
    @PostMapping("/workers/ping")
    public Replies ping(@RequestBody(required = false) Addressed addressed) throws InterruptedException {
        List<String> to = addressed == null
                        || addressed.workers() == null
                        || addressed.workers().isEmpty()
                ? null
                : addressed.workers();
        return new Replies("ping", call("ping", mapper.createObjectNode(), to));
    }

    /** Asks one worker to stop: it finishes or hands back what it runs, then exits. */
    @PostMapping("/workers/{name}/shutdown")
    public Replies shutdown(@PathVariable String name) throws InterruptedException {
        return new Replies("shutdown", call("shutdown", mapper.createObjectNode(), List.of(name)));
    }

    /**
     * A change of a worker's pool size.
     *
     * @param change slots to add (positive) or remove (negative)
     */
    public record PoolChange(Integer change) {}

    /** Grows or shrinks one worker's pools, as Celery's {@code pool_grow} and {@code pool_shrink}. */
    @PostMapping("/workers/{name}/pool")
    public Replies resize(@PathVariable String name, @RequestBody PoolChange body) throws InterruptedException {
        if (body == null || body.change() == null || body.change() == 0 || Math.abs(body.change()) > 1000) {
            throw Problems.badRequest("'change' is required: slots to add (1 to 1000) or remove (-1 to -1000)");
        }
        String command = body.change() > 0 ? "pool_grow" : "pool_shrink";
        ObjectNode arguments = mapper.createObjectNode().put("n", Math.abs(body.change()));
        return new Replies(command, call(command, arguments, List.of(name)));
    }

    private Map<String, JsonNode> call(String method, ObjectNode arguments, List<String> to)
            throws InterruptedException {
        Map<String, JsonNode> replies;
        try {
            replies = control.call(method, arguments, to, REPLY_TIMEOUT);
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
                    "no worker" + (to == null ? "" : " of " + to) + " answered within " + REPLY_TIMEOUT.toSeconds()
                            + " s");
        }
        return replies;
    }
}
