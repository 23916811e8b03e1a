package dev.celeriac.api.submit;

import dev.celeriac.api.ledger.TaskLedger;
import dev.celeriac.api.ledger.TaskRecord;
import dev.celeriac.api.problems.Problems;
import dev.celeriac.api.query.TaskView;
import dev.celeriac.producer.SubmitOptions;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.protocol.names.NameRules;
import dev.celeriac.protocol.names.TopologyNames;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /api/v1/tasks}: validates the request, records the task PENDING in the ledger, publishes it with a
 * confirm, and answers 202 with the task and its {@code Location}. A task the broker did not take is removed from
 * the ledger again, and the answer says why (429 queue full, 503 broker unavailable).
 */
@RestController
@RequestMapping("/api/v1/tasks")
public class TaskSubmitController {

    private final TaskClient client;
    private final TaskLedger ledger;
    private final JsonMapper json;
    private final Clock clock;

    private final dev.celeriac.api.workers.WorkerRegistry workers;
    private final boolean allowUnknownTasks;

    public TaskSubmitController(
            TaskClient client,
            TaskLedger ledger,
            dev.celeriac.api.workers.WorkerRegistry workers,
            dev.celeriac.api.config.ApiProperties properties,
            JsonMapper json,
            Clock clock) {
        this.workers = workers;
        this.allowUnknownTasks = properties.allowUnknownTasks();
        this.client = client;
        this.ledger = ledger;
        this.json = json;
        this.clock = clock;
    }

    /** Longest idempotency key accepted. */
    static final int MAX_KEY_LENGTH = 255;

    @PostMapping
    public ResponseEntity<TaskView> submit(
            @RequestBody SubmitRequest body,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        if (body == null) {
            throw Problems.badRequest("the body must be a JSON object with at least a 'task'");
        }
        String id = UUID.randomUUID().toString();
        if (idempotencyKey != null) {
            if (idempotencyKey.isBlank() || idempotencyKey.length() > MAX_KEY_LENGTH) {
                throw Problems.badRequest("Idempotency-Key must be 1 to " + MAX_KEY_LENGTH + " characters");
            }
            var earlier = ledger.claimIdempotencyKey(idempotencyKey, hash(body), id);
            if (earlier.isPresent()) {
                return replay(idempotencyKey, body, earlier.get());
            }
        }
        Prepared prepared;
        try {
            prepared = prepare(body, id, "");
        } catch (RuntimeException e) {
            if (idempotencyKey != null) {
                ledger.releaseIdempotencyKey(idempotencyKey, id);
            }
            throw e;
        }
        TaskRecord recorded = ledger.recordSubmitted(prepared.submitted());
        try {
            client.submit(prepared.request());
        } catch (TaskPublishException e) {
            forget(id, idempotencyKey);
            throw e;
        } catch (IllegalArgumentException e) {
            forget(id, idempotencyKey);
            throw Problems.invalid(e.getMessage());
        }
        TaskView view = TaskView.of(recorded, json);
        return ResponseEntity.accepted()
                .location(URI.create("/api/v1/tasks/" + id))
                .body(view);
    }

    /** Most tasks in one batch. */
    static final int MAX_BATCH = 1000;

    /** The body of {@code POST /api/v1/tasks/batch}. */
    public record BatchRequest(List<SubmitRequest> tasks) {}

    /**
     * Submits up to 1,000 tasks at once: all are validated first (none is sent if one is invalid), recorded, and
     * published together, confirms awaited together. If the broker refuses some, they are removed from the ledger
     * and the problem lists the ids that were accepted.
     */
    @PostMapping("/batch")
    public ResponseEntity<Map<String, List<TaskView>>> submitBatch(@RequestBody BatchRequest batch) {
        if (batch == null || batch.tasks() == null || batch.tasks().isEmpty()) {
            throw Problems.badRequest("the body must be {\"tasks\": [...]} with at least one task");
        }
        if (batch.tasks().size() > MAX_BATCH) {
            throw Problems.invalid("a batch holds at most " + MAX_BATCH + " tasks, this one "
                    + batch.tasks().size());
        }
        var prepared = new java.util.ArrayList<Prepared>();
        for (int i = 0; i < batch.tasks().size(); i++) {
            SubmitRequest task = batch.tasks().get(i);
            if (task == null) {
                throw Problems.badRequest("tasks[" + i + "] is null");
            }
            prepared.add(prepare(task, UUID.randomUUID().toString(), "tasks[" + i + "]: "));
        }
        List<TaskRecord> recorded = prepared.stream()
                .map(p -> ledger.recordSubmitted(p.submitted()))
                .toList();
        try {
            client.submitAll(prepared.stream().map(Prepared::request).toList());
        } catch (dev.celeriac.producer.BatchPublishException e) {
            e.failures().keySet().forEach(ledger::forgetUnpublished);
            var problem = e.getCause() instanceof TaskPublishException first
                    ? new Problems().brokerRefused(first).getBody()
                    : org.springframework.http.ProblemDetail.forStatus(503);
            problem.setDetail(e.getMessage());
            problem.setProperty(
                    "accepted", e.accepted().stream().map(h -> h.id()).toList());
            throw new org.springframework.web.ErrorResponseException(
                    org.springframework.http.HttpStatusCode.valueOf(problem.getStatus()), problem, e);
        }
        List<TaskView> views = recorded.stream().map(r -> TaskView.of(r, json)).toList();
        return ResponseEntity.accepted().body(Map.of("tasks", views));
    }

    /** A validated request: what to publish and what the ledger records. */
    record Prepared(TaskRequest request, TaskLedger.Submitted submitted) {}

    /**
     * Validates a request and builds what to publish and record.
     *
     * @param where prefix of error details, e.g. "tasks[3]: " in a batch
     */
    Prepared prepare(SubmitRequest body, String id, String where) {
        try {
            if (body.task() == null || body.task().isBlank()) {
                throw Problems.badRequest("'task' is required: the name of a registered task, e.g. demo.add");
            }
            check("task name", body.task());
            if (!allowUnknownTasks && !workers.isRegistered(body.task())) {
                throw Problems.problem(
                        org.springframework.http.HttpStatus.UNPROCESSABLE_CONTENT,
                        "unknown-task",
                        "Unknown task",
                        "no worker has registered a task named '" + body.task()
                                + "' (set celeriac.api.allow-unknown-tasks=true to accept it anyway)");
            }
            String queue = body.queue() == null ? TopologyNames.DEFAULT_QUEUE : body.queue();
            check("queue name", queue);
            if (body.countdown() != null && body.eta() != null) {
                throw Problems.invalid("give 'countdown' or 'eta', not both");
            }
            if (body.countdown() != null
                    && (body.countdown() < 0
                            || body.countdown() > Duration.ofDays(365).toSeconds())) {
                throw Problems.invalid("'countdown' must be 0 to 31536000 seconds, was " + body.countdown());
            }
            Instant now = clock.instant();
            Instant eta = body.eta() == null ? null : time("eta", body.eta());
            if (body.countdown() != null) {
                eta = now.plusMillis(Math.round(body.countdown() * 1000));
            }
            Instant expires = expires(body.expires(), now);

            SubmitOptions options;
            try {
                options = SubmitOptions.defaults()
                        .withQueue(queue)
                        .withPriority(body.priority())
                        .withEta(eta)
                        .withExpires(expires)
                        .withMaxRetries(body.maxRetries())
                        .withTaskId(id);
            } catch (IllegalArgumentException e) {
                throw Problems.invalid(e.getMessage());
            }
            List<Object> args = body.args() == null ? List.of() : body.args();
            Map<String, Object> kwargs = body.kwargs() == null ? Map.of() : body.kwargs();
            return new Prepared(
                    new TaskRequest(body.task(), args, kwargs, options),
                    new TaskLedger.Submitted(
                            id,
                            body.task(),
                            queue,
                            json.writeValueAsString(args),
                            json.writeValueAsString(kwargs),
                            null,
                            id,
                            eta,
                            expires));
        } catch (org.springframework.web.ErrorResponseException e) {
            if (where.isEmpty()) {
                throw e;
            }
            var problem = e.getBody();
            problem.setDetail(where + problem.getDetail());
            throw e;
        }
    }

    private void forget(String id, String idempotencyKey) {
        ledger.forgetUnpublished(id);
        if (idempotencyKey != null) {
            ledger.releaseIdempotencyKey(idempotencyKey, id);
        }
    }

    /** The same key again: the same task, published once; the same key for another request: 409. */
    private ResponseEntity<TaskView> replay(String key, SubmitRequest body, TaskLedger.IdempotentTask earlier) {
        if (!earlier.requestHash().equals(hash(body))) {
            throw Problems.problem(
                    org.springframework.http.HttpStatus.CONFLICT,
                    "idempotency-key-reused",
                    "Idempotency key reused",
                    "Idempotency-Key '" + key + "' was used for a different request");
        }
        // A concurrent first request may still be recording its task: wait for it briefly.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        var task = ledger.find(earlier.taskId());
        while (task.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            task = ledger.find(earlier.taskId());
        }
        TaskView view = TaskView.of(
                task.orElseThrow(() -> Problems.problem(
                        org.springframework.http.HttpStatus.CONFLICT,
                        "idempotency-key-in-flight",
                        "Request in flight",
                        "the first request with Idempotency-Key '" + key + "' has not finished")),
                json);
        return ResponseEntity.accepted()
                .location(URI.create("/api/v1/tasks/" + earlier.taskId()))
                .body(view);
    }

    private String hash(SubmitRequest body) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(json.writeValueAsBytes(body));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void check(String kind, String name) {
        String problem = NameRules.problem(kind, name);
        if (problem != null) {
            throw Problems.invalid(problem);
        }
    }

    private static Instant time(String field, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException again) {
                throw Problems.invalid("'" + field + "' must be an ISO-8601 date-time with offset, was '" + text + "'");
            }
        }
    }

    private static Instant expires(Object expires, Instant now) {
        return switch (expires) {
            case null -> null;
            case Number seconds
            when seconds.doubleValue() > 0 -> now.plusMillis(Math.round(seconds.doubleValue() * 1000));
            case Number seconds -> throw Problems.invalid("'expires' in seconds must be positive, was " + seconds);
            case String text -> time("expires", text);
            default -> throw Problems.invalid("'expires' must be an ISO-8601 date-time or a number of seconds");
        };
    }
}
