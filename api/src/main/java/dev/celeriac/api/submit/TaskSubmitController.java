package dev.celeriac.api.submit;

import dev.celeriac.api.internal.idempotency.IdempotencyStore;
import dev.celeriac.api.internal.ledger.TaskRecord;
import dev.celeriac.api.internal.ledger.TaskStore;
import dev.celeriac.api.internal.outbox.OutboxRelay;
import dev.celeriac.api.internal.outbox.OutboxStore;
import dev.celeriac.api.problems.Problems;
import dev.celeriac.api.query.TaskView;
import dev.celeriac.producer.BatchPublishException;
import dev.celeriac.producer.TaskHandle;
import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.producer.amqp.TaskPublisher;
import dev.celeriac.protocol.state.TaskState;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /api/v1/tasks}: validates the request, and hands it to the {@link SubmitPipeline}, which records the
 * task PENDING with its message in the outbox, publishes it with a confirm, and answers 202 with the task and its
 * {@code Location}. A task the broker did not take leaves no trace, and the answer says why (429 queue full, 503
 * broker unavailable).
 */
@RestController
@RequestMapping("/api/v1/tasks")
public class TaskSubmitController {

    /** Longest idempotency key accepted. */
    static final int MAX_KEY_LENGTH = 255;

    /** Most tasks in one batch. */
    static final int MAX_BATCH = 1000;

    /** How long a request with a key already in use waits for the first request with it to finish. */
    static final Duration IN_FLIGHT_WAIT = Duration.ofSeconds(10);

    private final SubmitPipeline pipeline;
    private final TaskPublisher publisher;
    private final TaskStore tasks;
    private final IdempotencyStore keys;
    private final OutboxStore outbox;
    private final OutboxRelay relay;
    private final SubmitPreparer preparer;
    private final JsonMapper json;
    private final Clock clock;

    public TaskSubmitController(
            SubmitPipeline pipeline,
            TaskPublisher publisher,
            TaskStore tasks,
            IdempotencyStore keys,
            OutboxStore outbox,
            OutboxRelay relay,
            SubmitPreparer preparer,
            JsonMapper json,
            Clock clock) {
        this.pipeline = pipeline;
        this.publisher = publisher;
        this.tasks = tasks;
        this.keys = keys;
        this.outbox = outbox;
        this.relay = relay;
        this.preparer = preparer;
        this.json = json;
        this.clock = clock;
    }

    @PostMapping
    public ResponseEntity<TaskView> submit(
            @RequestBody SubmitRequest body,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        if (body == null) {
            throw Problems.badRequest("the body must be a JSON object with at least a 'task'");
        }
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > MAX_KEY_LENGTH)) {
            throw Problems.badRequest("Idempotency-Key must be 1 to " + MAX_KEY_LENGTH + " characters");
        }
        return submitOnce(body, idempotencyKey, true);
    }

    private ResponseEntity<TaskView> submitOnce(SubmitRequest body, String idempotencyKey, boolean mayRetry) {
        String id = UUID.randomUUID().toString();
        IdempotencyStore.Claim claim =
                idempotencyKey == null ? null : new IdempotencyStore.Claim(idempotencyKey, hash(body), id);
        SubmitPipeline.Submit submit = preparer.prepare(body, id, "", claim);
        TaskRecord recorded;
        try {
            recorded = await(pipeline.submit(submit));
        } catch (SubmitPipeline.KeyTakenException taken) {
            return sameKeyAgain(body, claim, taken.holder(), mayRetry);
        } catch (SubmitPipeline.UnconfirmedException kept) {
            throw kept.problem();
        }
        return accepted(recorded);
    }

    private ResponseEntity<TaskView> accepted(TaskRecord recorded) {
        return ResponseEntity.accepted()
                .location(URI.create("/api/v1/tasks/" + recorded.id()))
                .body(TaskView.of(recorded, json));
    }

    /** The body of {@code POST /api/v1/tasks/batch}. */
    public record BatchRequest(List<SubmitRequest> tasks) {}

    /**
     * Submits up to 1,000 tasks at once: all are validated first (none is sent if one is invalid), then recorded and
     * published together. If the broker refuses some, they leave no trace, and the problem lists the ids of those
     * that were accepted.
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
        var submits = new ArrayList<SubmitPipeline.Submit>();
        for (int i = 0; i < batch.tasks().size(); i++) {
            SubmitRequest task = batch.tasks().get(i);
            if (task == null) {
                throw Problems.badRequest("tasks[" + i + "] is null");
            }
            submits.add(preparer.prepare(task, UUID.randomUUID().toString(), "tasks[" + i + "]: ", null));
        }
        List<CompletableFuture<TaskRecord>> answers = pipeline.submitAll(submits);
        var views = new ArrayList<TaskView>(answers.size());
        var handles = new ArrayList<TaskHandle>();
        var failures = new LinkedHashMap<String, TaskPublishException>();
        var unconfirmed = new ArrayList<String>();
        RuntimeException other = null;
        for (int i = 0; i < answers.size(); i++) {
            try {
                TaskRecord record = await(answers.get(i));
                views.add(TaskView.of(record, json));
                handles.add(new TaskHandle(record.id(), record.task(), record.queue(), record.eta(), clock.instant()));
            } catch (TaskPublishException e) {
                failures.put(submits.get(i).prepared().id(), e);
            } catch (SubmitPipeline.UnconfirmedException kept) {
                unconfirmed.add(kept.taskId());
            } catch (RuntimeException e) {
                other = e;
            }
        }
        if (failures.isEmpty() && other != null) {
            throw other;
        }
        if (failures.isEmpty() && !unconfirmed.isEmpty()) {
            ErrorResponseException problem = Problems.problem(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    SubmitPipeline.UnconfirmedException.TYPE,
                    "Tasks not confirmed yet",
                    "the broker did not confirm " + unconfirmed.size() + " of the " + answers.size() + " tasks in"
                            + " time; they are recorded, and published again until the broker confirms them");
            problem.getBody()
                    .setProperty(
                            "accepted", handles.stream().map(TaskHandle::id).toList());
            problem.getBody().setProperty("unconfirmed", unconfirmed);
            throw problem;
        }
        if (!failures.isEmpty()) {
            var refused = new BatchPublishException(handles, failures);
            ProblemDetail problem = refused.getCause() instanceof TaskPublishException first
                    ? new Problems().brokerRefused(first).getBody()
                    : ProblemDetail.forStatus(HttpStatus.SERVICE_UNAVAILABLE);
            problem.setDetail(refused.getMessage());
            problem.setProperty("accepted", handles.stream().map(TaskHandle::id).toList());
            if (!unconfirmed.isEmpty()) {
                problem.setProperty("unconfirmed", unconfirmed);
            }
            throw new ErrorResponseException(HttpStatusCode.valueOf(problem.getStatus()), problem, refused);
        }
        return ResponseEntity.accepted().body(Map.of("tasks", views));
    }

    /** The outcome of a submit: its record, or the exception it was refused with. */
    private TaskRecord await(CompletableFuture<TaskRecord> answer) {
        return SubmitAnswers.await(answer, publisher.confirmTimeout());
    }

    /**
     * The same key again: the same task, published once; the same key for another request: 409. The first request
     * may still be on its way: its task is answered once its message is confirmed. If the API that took the first
     * request stopped before that, the task's message is published here, so that a task answered 202 is always one
     * the broker has.
     */
    private ResponseEntity<TaskView> sameKeyAgain(
            SubmitRequest body, IdempotencyStore.Claim mine, IdempotencyStore.Claim holder, boolean mayRetry) {
        if (!holder.requestHash().equals(mine.requestHash())) {
            throw Problems.problem(
                    HttpStatus.CONFLICT,
                    "idempotency-key-reused",
                    "Idempotency key reused",
                    "Idempotency-Key '" + mine.key() + "' was used for a different request");
        }
        long deadline = System.nanoTime() + IN_FLIGHT_WAIT.toNanos();
        // The first request's batch is this instance's: wait for it to settle, rather than read the ledger.
        pipeline.settlingOf(holder.taskId()).ifPresent(settling -> {
            try {
                settling.get(IN_FLIGHT_WAIT.toNanos(), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // Read below what became of it.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        while (System.nanoTime() < deadline) {
            var task = tasks.find(holder.taskId());
            if (task.isEmpty()) {
                // The first request was refused, and its task and key are being removed: once they are, submit anew.
                if (mayRetry && keys.find(mine.key()).isEmpty()) {
                    return submitOnce(body, mine.key(), false);
                }
            } else {
                var waiting = outbox.waitingSince(holder.taskId());
                // A worker reported it: the broker has its message, whatever the outbox still holds.
                if (waiting.isEmpty() || task.get().state() != TaskState.PENDING) {
                    return accepted(tasks.find(holder.taskId()).orElse(task.get()));
                }
                if (waiting.get().isBefore(clock.instant().minus(relay.grace()))) {
                    relay.publishNow(holder.taskId());
                    return accepted(tasks.find(holder.taskId()).orElse(task.get()));
                }
            }
            pause();
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.CONFLICT,
                "the first request with Idempotency-Key '" + mine.key() + "' has not finished; try again later");
        problem.setType(URI.create(Problems.TYPE_BASE + "idempotency-key-in-flight"));
        problem.setTitle("Request in flight");
        var inFlight = new ErrorResponseException(HttpStatus.CONFLICT, problem, null);
        inFlight.getHeaders().set(HttpHeaders.RETRY_AFTER, "1");
        throw inFlight;
    }

    /** Between reads of another instance's submit in flight: a hundred retries must not drain the connection pool. */
    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a submit in flight", e);
        }
    }

    private String hash(SubmitRequest body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json.writeValueAsBytes(body));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
