package dev.celeriac.api.problems;

import dev.celeriac.producer.PublishNackedException;
import dev.celeriac.producer.PublishReturnedException;
import dev.celeriac.producer.TaskPublishException;
import java.net.URI;
import org.springframework.core.NestedRuntimeException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Problem details of the API; each has a stable {@code type} a client can match on. */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE) // before Boot's generic problem-details handler
public final class Problems {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Problems.class);

    /** Seconds a client should wait before it retries while the ledger's database is unavailable. */
    static final String LEDGER_RETRY_AFTER_SECONDS = "5";

    /** Base of every problem type URI. */
    public static final String TYPE_BASE = "https://celeriac.dev/problems/";

    /** A problem with the given status, type (the part after {@link #TYPE_BASE}), title and detail. */
    public static ErrorResponseException problem(HttpStatus status, String type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(TYPE_BASE + type));
        problem.setTitle(title);
        return new ErrorResponseException(status, problem, null);
    }

    /** The request is malformed or misses a required field. */
    public static ErrorResponseException badRequest(String detail) {
        return problem(HttpStatus.BAD_REQUEST, "bad-request", "Bad request", detail);
    }

    /** A field has a value the API cannot accept (an invalid name, a priority out of range). */
    public static ErrorResponseException invalid(String detail) {
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, "invalid-task", "Invalid task", detail);
    }

    /** No task has that id. */
    public static ErrorResponseException taskNotFound(String id) {
        return problem(HttpStatus.NOT_FOUND, "task-not-found", "Task not found", "no task has the id '" + id + "'");
    }

    /** A body that is not JSON, or not of the expected shape. */
    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ProblemDetail> unreadable(HttpMessageNotReadableException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BodyLimitFilter.BodyTooLargeException tooLarge) {
                ProblemDetail problem =
                        ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE, tooLarge.getMessage());
                problem.setType(URI.create(TYPE_BASE + "body-too-large"));
                problem.setTitle("Body too large");
                return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).body(problem);
            }
        }
        Throwable cause = e.getMostSpecificCause();
        String detail = cause instanceof tools.jackson.core.JacksonException jackson
                ? "the body is not valid JSON of the expected shape: " + jackson.getOriginalMessage()
                : "the body could not be read: " + cause.getMessage();
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setType(URI.create(TYPE_BASE + "bad-request"));
        problem.setTitle("Bad request");
        return ResponseEntity.badRequest().body(problem);
    }

    /**
     * The ledger's database cannot be reached (down, restarting, out of connections): 503 with {@code Retry-After}. A
     * submit that fails so was not published, so the client may simply send it again.
     */
    @ExceptionHandler({
        DataAccessResourceFailureException.class,
        TransientDataAccessException.class,
        RecoverableDataAccessException.class,
        CannotCreateTransactionException.class
    })
    public ResponseEntity<ProblemDetail> ledgerUnavailable(NestedRuntimeException e) {
        log.warn(
                "the ledger database is unavailable: {}",
                e.getMostSpecificCause().toString());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.SERVICE_UNAVAILABLE,
                "the task ledger's database is unavailable; nothing was changed, try again later");
        problem.setType(URI.create(TYPE_BASE + "ledger-unavailable"));
        problem.setTitle("Ledger unavailable");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, LEDGER_RETRY_AFTER_SECONDS)
                .body(problem);
    }

    /** The broker did not take a task: 429 when its queue is full, 503 when the broker is unavailable or slow. */
    @ExceptionHandler(TaskPublishException.class)
    public ResponseEntity<ProblemDetail> brokerRefused(TaskPublishException e) {
        HttpStatus status;
        String type;
        if (e instanceof PublishReturnedException) {
            status = HttpStatus.UNPROCESSABLE_CONTENT;
            type = "unknown-queue";
        } else if (e instanceof PublishNackedException) {
            status = HttpStatus.TOO_MANY_REQUESTS;
            type = "queue-full";
        } else {
            status = HttpStatus.SERVICE_UNAVAILABLE;
            type = "broker-unavailable";
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, e.getMessage());
        problem.setType(URI.create(TYPE_BASE + type));
        problem.setTitle("Task not accepted");
        var response = ResponseEntity.status(status);
        if (e.isTransient()) {
            response.header(HttpHeaders.RETRY_AFTER, "5");
        }
        return response.body(problem);
    }
}
