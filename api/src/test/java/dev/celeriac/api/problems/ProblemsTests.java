package dev.celeriac.api.problems;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What a client sees when a request fails below the controllers: a problem, never a bare error. */
@ExtendWith(OutputCaptureExtension.class)
class ProblemsTests {

    private final MockMvc mvc = MockMvcBuilders.standaloneSetup(new Failing())
            .setControllerAdvice(new Problems(), new UnexpectedProblems())
            .build();

    @RestController
    static class Failing {
        /** A transaction whose connection was cut as it ended: its rollback fails too. */
        @GetMapping("/rollback-failed")
        String rollbackFailed() {
            throw new TransactionSystemException(
                    "JDBC rollback failed", new SQLException("Connection is closed", "08003"));
        }

        @GetMapping("/bug")
        String bug() {
            throw new IllegalStateException("a state no code path should reach");
        }
    }

    @Test
    void aTransactionThatCouldNotEndIsTheLedgerBeingUnavailable() throws Exception {
        MvcResult result = mvc.perform(get("/rollback-failed")).andReturn();

        assertThat(result.getResponse().getStatus()).isEqualTo(503);
        assertThat(result.getResponse().getHeader("Retry-After")).isEqualTo(Problems.RETRY_AFTER_SECONDS);
        assertThat(body(result).get("type").asString()).isEqualTo(Problems.TYPE_BASE + "ledger-unavailable");
    }

    @Test
    void anUnexpectedFailureIsA500ProblemWhoseReferenceIsInTheLog(CapturedOutput log) throws Exception {
        MvcResult result = mvc.perform(get("/bug")).andReturn();

        assertThat(result.getResponse().getStatus()).isEqualTo(500);
        assertThat(result.getResponse().getContentType()).isEqualTo("application/problem+json");
        JsonNode problem = body(result);
        assertThat(problem.get("type").asString()).isEqualTo(Problems.TYPE_BASE + "internal-error");
        String reference = problem.get("reference").asString();
        assertThat(reference).hasSize(36);
        assertThat(problem.get("detail").asString()).endsWith("under reference " + reference);
        assertThat(problem.get("detail").asString()).doesNotContain("a state no code path should reach");
        assertThat(log.getOut())
                .contains("request failed unexpectedly (reference " + reference + ")")
                .contains("IllegalStateException: a state no code path should reach");
    }

    private static JsonNode body(MvcResult result) throws Exception {
        return JsonMapper.builder().build().readTree(result.getResponse().getContentAsString());
    }
}
