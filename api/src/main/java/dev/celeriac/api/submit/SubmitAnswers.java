package dev.celeriac.api.submit;

import dev.celeriac.api.internal.ledger.TaskRecord;
import dev.celeriac.api.problems.Problems;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

/** Waits for the pipeline's answer to one submit, as a request thread does before it answers. */
final class SubmitAnswers {

    private static final String TASK_ID = "taskId";
    /** When a client may ask again: by then the broker has confirmed, or the outbox relay is publishing it again. */
    private static final String RETRY_AFTER_SECONDS = "5";
    /** The problem type of a task recorded but not confirmed by the broker in time. */
    static final String UNCONFIRMED = "publish-unconfirmed";

    private static final URI UNCONFIRMED_TYPE = URI.create(Problems.TYPE_BASE + UNCONFIRMED);

    private SubmitAnswers() {}

    /** The record as stored, or the exception the task was refused with; a 503 problem if neither comes in time. */
    static TaskRecord await(CompletableFuture<TaskRecord> answer, Duration confirmTimeout) {
        // The pipeline answers within the confirm time-out once the batch is written; the rest is the database's.
        long patience = confirmTimeout.plusSeconds(30).toMillis();
        try {
            return answer.get(patience, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SubmitPipeline.UnconfirmedException unconfirmed) {
                throw unconfirmed(unconfirmed);
            }
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw Problems.problem(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "ledger-unavailable",
                    "Ledger unavailable",
                    "the task could not be recorded in time; if it was accepted it runs, and the same"
                            + " Idempotency-Key finds it");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while submitting", e);
        }
    }

    /**
     * 503 for a task the broker has not confirmed: not the 202 of a confirmed task, nor a refusal, since it is kept and
     * published again; its id lets the client follow it, and the same Idempotency-Key finds it.
     */
    static ErrorResponseException unconfirmed(SubmitPipeline.UnconfirmedException e) {
        // Without the exception as its cause: Spring would answer with the handler of the cause's cause (a refusal).
        ErrorResponseException problem = Problems.problem(
                HttpStatus.SERVICE_UNAVAILABLE,
                UNCONFIRMED,
                "Task not confirmed yet",
                e.getMessage() + "; follow it at /api/v1/tasks/" + e.taskId()
                        + ", and the same Idempotency-Key finds it");
        problem.getBody().setProperty(TASK_ID, e.taskId());
        problem.getHeaders().set(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
        return problem;
    }

    /** The id of the task an {@link #unconfirmed} problem is about, or {@code null} for any other problem. */
    static String unconfirmedTask(ErrorResponseException problem) {
        var properties = problem.getBody().getProperties();
        return UNCONFIRMED_TYPE.equals(problem.getBody().getType()) && properties != null
                ? (String) properties.get(TASK_ID)
                : null;
    }
}
