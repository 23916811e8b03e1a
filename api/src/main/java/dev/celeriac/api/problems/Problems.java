package dev.celeriac.api.problems;

import dev.celeriac.producer.PublishNackedException;
import dev.celeriac.producer.PublishReturnedException;
import dev.celeriac.producer.TaskPublishException;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
import org.springframework.transaction.TransactionSystemException;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import tools.jackson.core.JacksonException;

/** Problem details of the API; each has a stable {@code type} a client can match on. */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE) // before Boot's generic problem-details handler
public final class Problems {

    private static final Logger log = LoggerFactory.getLogger(Problems.class);

    /** Seconds a client should wait before it retries a request refused for a passing reason (a broker or ledger outage). */
    static final String RETRY_AFTER_SECONDS = "5";

    /** Base of every problem type URI. */
    public static final String TYPE_BASE = "https://celeriac.dev/problems/";

    /** A problem with the given status, type (the part after {@link #TYPE_BASE}), title and detail. */
    public static ErrorResponseException problem(HttpStatus status, String type, String title, String detail) {
        return problem(status, type, title, detail, null);
    }

    /** A problem as {@link #problem(HttpStatus, String, String, String)}, caused by {@code cause}. */
    public static ErrorResponseException problem(
            HttpStatus status, String type, String title, String detail, Throwable cause) {
        return new ErrorResponseException(status, detail(status, type, title, detail), cause);
    }

    private static ProblemDetail detail(HttpStatus status, String type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(TYPE_BASE + type));
        problem.setTitle(title);
        return problem;
    }

    /** The request is malformed or misses a required field. */
    public static ErrorResponseException badRequest(String detail) {
        return problem(HttpStatus.BAD_REQUEST, "bad-request", "Bad request", detail);
    }

    /** A field has a value the API cannot accept (an invalid name, a priority out of range). */
    public static ErrorResponseException invalid(String detail) {
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, "invalid-task", "Invalid task", detail);
    }

    /**
     * No worker has registered a task of that name.
     *
     * @param where what the detail starts with: where in the request the name is ({@code "chain[1]: "}), or empty
     */
    public static ErrorResponseException unknownTask(String where, String task) {
        return problem(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "unknown-task",
                "Unknown task",
                where + "no worker has registered a task named '" + task
                        + "' (set celeriac.api.allow-unknown-tasks=true to accept it anyway)");
    }

    /** No task has that id. */
    public static ErrorResponseException taskNotFound(String id) {
        return problem(HttpStatus.NOT_FOUND, "task-not-found", "Task not found", "no task has the id '" + id + "'");
    }

    /** No task of the ledger belongs to the workflow. */
    public static ErrorResponseException workflowNotFound(String id) {
        return problem(
                HttpStatus.NOT_FOUND,
                "workflow-not-found",
                "Workflow not found",
                "no task or chord has the workflow id '" + id + "' as its root");
    }

    /** No schedule has that id. */
    public static ErrorResponseException scheduleNotFound(String id) {
        return problem(
                HttpStatus.NOT_FOUND,
                "schedule-not-found",
                "Schedule not found",
                "no schedule has the id '" + id + "'");
    }

    /** A body that is not JSON, or not of the expected shape. */
    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ProblemDetail> unreadable(HttpMessageNotReadableException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BodyLimitFilter.BodyTooLargeException tooLarge) {
                return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
                        .body(detail(
                                HttpStatus.CONTENT_TOO_LARGE,
                                "body-too-large",
                                "Body too large",
                                tooLarge.getMessage()));
            }
        }
        Throwable cause = e.getMostSpecificCause();
        String detail = cause instanceof JacksonException jackson
                ? "the body is not valid JSON of the expected shape: " + jackson.getOriginalMessage()
                : "the body could not be read: " + cause.getMessage();
        return ResponseEntity.badRequest().body(detail(HttpStatus.BAD_REQUEST, "bad-request", "Bad request", detail));
    }

    /**
     * The ledger's database cannot be reached (down, restarting, out of connections, a connection cut while a
     * transaction ends): 503 with {@code Retry-After}. A submit that fails so was not published, so the client may
     * simply send it again.
     */
    @ExceptionHandler({
        DataAccessResourceFailureException.class,
        TransientDataAccessException.class,
        RecoverableDataAccessException.class,
        CannotCreateTransactionException.class,
        TransactionSystemException.class
    })
    public ResponseEntity<ProblemDetail> ledgerUnavailable(NestedRuntimeException e) {
        log.warn(
                "the ledger database is unavailable: {}",
                e.getMostSpecificCause().toString());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                .body(detail(
                        HttpStatus.SERVICE_UNAVAILABLE,
                        "ledger-unavailable",
                        "Ledger unavailable",
                        "the task ledger's database is unavailable; nothing was changed, try again later"));
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
        var response = ResponseEntity.status(status);
        if (e.isTransient()) {
            response.header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        return response.body(detail(status, type, "Task not accepted", e.getMessage()));
    }
}
