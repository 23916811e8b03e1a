package dev.celeriac.api.problems;

import java.net.URI;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * The last resort: a failure no other handler knows (neither {@link Problems} nor Boot's handler of Spring MVC's own
 * exceptions, which both come first) is a 500 problem whose detail names a reference that is also in the log, so
 * that an operator finds the stack trace the client saw the answer of.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public final class UnexpectedProblems {

    private static final Logger log = LoggerFactory.getLogger(UnexpectedProblems.class);

    @ExceptionHandler(Exception.class)
    public ResponseEntity<ProblemDetail> unexpected(Exception e) {
        String reference = UUID.randomUUID().toString();
        log.error("request failed unexpectedly (reference {})", reference, e);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.INTERNAL_SERVER_ERROR,
                "the API failed unexpectedly; the API's log has the failure under reference " + reference);
        problem.setType(URI.create(Problems.TYPE_BASE + "internal-error"));
        problem.setTitle("Internal error");
        problem.setProperty("reference", reference);
        return ResponseEntity.internalServerError().body(problem);
    }
}
