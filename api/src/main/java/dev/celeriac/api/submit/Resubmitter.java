package dev.celeriac.api.submit;

import dev.celeriac.api.internal.ledger.TaskRecord;
import dev.celeriac.api.problems.Problems;
import dev.celeriac.producer.amqp.TaskPublisher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs a finished task again as a new task: the same name, arguments, keyword arguments and queue, checked and
 * submitted as {@code POST /api/v1/tasks} would (recorded, published with a confirm). Its ETA and expiry are not
 * carried over: the new task runs now. The original keeps its record and history.
 */
public final class Resubmitter {

    private final SubmitPipeline pipeline;
    private final SubmitPreparer preparer;
    private final TaskPublisher publisher;
    private final JsonMapper json;

    public Resubmitter(SubmitPipeline pipeline, SubmitPreparer preparer, TaskPublisher publisher, JsonMapper json) {
        this.pipeline = pipeline;
        this.preparer = preparer;
        this.publisher = publisher;
        this.json = json;
    }

    /** What became of one task sent again: the new task, or the problem that kept it from being sent. */
    public sealed interface Outcome {
        String originalId();
    }

    /** Sent again as {@code task}. */
    public record Resubmitted(String originalId, TaskRecord task) implements Outcome {}

    /** Not sent again, for the reason the detail gives. */
    public record Refused(String originalId, String detail) implements Outcome {}

    /**
     * Sends one finished task again.
     *
     * @throws ErrorResponseException 409 if it has not finished, 422 if its arguments are not JSON (Python's repr, from a
     *     Celery client), or what {@code POST /api/v1/tasks} would answer for the request
     */
    public TaskRecord resubmit(TaskRecord original) {
        SubmitPipeline.Submit submit =
                preparer.prepare(request(original), UUID.randomUUID().toString(), "", null);
        try {
            return SubmitAnswers.await(pipeline.submit(submit), publisher.confirmTimeout());
        } catch (SubmitPipeline.UnconfirmedException kept) {
            throw kept.problem();
        }
    }

    /** Sends the tasks again together (one transaction, one burst of confirms); each gets its own outcome. */
    public List<Outcome> resubmitAll(List<TaskRecord> originals) {
        var outcomes = new ArrayList<Outcome>(originals.size());
        var submits = new ArrayList<SubmitPipeline.Submit>();
        var sent = new ArrayList<TaskRecord>();
        for (TaskRecord original : originals) {
            try {
                submits.add(
                        preparer.prepare(request(original), UUID.randomUUID().toString(), "", null));
                sent.add(original);
            } catch (ErrorResponseException e) {
                outcomes.add(new Refused(original.id(), e.getBody().getDetail()));
            }
        }
        List<CompletableFuture<TaskRecord>> answers = pipeline.submitAll(submits);
        for (int i = 0; i < answers.size(); i++) {
            String originalId = sent.get(i).id();
            try {
                outcomes.add(
                        new Resubmitted(originalId, SubmitAnswers.await(answers.get(i), publisher.confirmTimeout())));
            } catch (ErrorResponseException e) {
                outcomes.add(new Refused(originalId, e.getBody().getDetail()));
            } catch (RuntimeException e) {
                outcomes.add(new Refused(originalId, e.getMessage()));
            }
        }
        return outcomes;
    }

    private SubmitRequest request(TaskRecord original) {
        if (!original.state().isTerminal()) {
            throw Problems.problem(
                    HttpStatus.CONFLICT,
                    "task-not-finished",
                    "Task not finished",
                    "task " + original.id() + " is " + original.state()
                            + "; only a finished task can be run again (revoke it first)");
        }
        try {
            List<Object> args = original.args() == null ? List.of() : json.readValue(original.args(), ARGS);
            Map<String, Object> kwargs =
                    original.kwargs() == null ? Map.of() : json.readValue(original.kwargs(), KWARGS);
            return new SubmitRequest(original.task(), args, kwargs, original.queue(), null, null, null, null, null);
        } catch (JacksonException e) {
            throw Problems.invalid("task " + original.id() + " was sent by a Celery client, and the ledger holds its"
                    + " arguments as Python wrote them, not as JSON: send it again from Python");
        }
    }

    private static final TypeReference<List<Object>> ARGS = new TypeReference<>() {};
    private static final TypeReference<Map<String, Object>> KWARGS = new TypeReference<>() {};
}
