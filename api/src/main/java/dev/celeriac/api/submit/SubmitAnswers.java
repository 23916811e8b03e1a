package dev.celeriac.api.submit;

import dev.celeriac.api.internal.ledger.TaskRecord;
import dev.celeriac.api.problems.Problems;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;

/** Waits for the pipeline's answer to one submit, as a request thread does before it answers. */
final class SubmitAnswers {

    private SubmitAnswers() {}

    /**
     * The record as stored, or the exception the task was refused with (a {@link SubmitPipeline.UnconfirmedException}
     * for one kept without a confirm); a 503 problem if neither comes in time.
     */
    static TaskRecord await(CompletableFuture<TaskRecord> answer, Duration confirmTimeout) {
        // The pipeline answers within the confirm time-out once the batch is written; the rest is the database's.
        long patience = confirmTimeout.plusSeconds(30).toMillis();
        try {
            return answer.get(patience, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
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
}
