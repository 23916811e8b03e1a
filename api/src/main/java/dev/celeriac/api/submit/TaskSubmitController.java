package dev.celeriac.api.submit;

import dev.celeriac.api.ledger.TaskLedger;
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

    public TaskSubmitController(TaskClient client, TaskLedger ledger, JsonMapper json, Clock clock) {
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
        if (body.task() == null || body.task().isBlank()) {
            throw Problems.badRequest("'task' is required: the name of a registered task, e.g. demo.add");
        }
        check("task name", body.task());
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
        ledger.recordSubmitted(new TaskLedger.Submitted(
                id,
                body.task(),
                queue,
                json.writeValueAsString(args),
                json.writeValueAsString(kwargs),
                null,
                id,
                eta,
                expires));
        try {
            client.submit(new TaskRequest(body.task(), args, kwargs, options));
        } catch (TaskPublishException e) {
            forget(id, idempotencyKey);
            throw e;
        } catch (IllegalArgumentException e) {
            forget(id, idempotencyKey);
            throw Problems.invalid(e.getMessage());
        }
        TaskView view = TaskView.of(ledger.find(id).orElseThrow(), json);
        return ResponseEntity.accepted()
                .location(URI.create("/api/v1/tasks/" + id))
                .body(view);
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
