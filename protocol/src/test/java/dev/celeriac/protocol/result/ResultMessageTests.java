package dev.celeriac.protocol.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.celeriac.protocol.message.MalformedMessageException;
import dev.celeriac.protocol.state.TaskState;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.IntNode;

class ResultMessageTests {

    private final JsonMapper mapper = JsonMapper.builder().build();

    static final class Outer {
        static final class InnerFailure extends RuntimeException {
            InnerFailure(String message) {
                super(message);
            }
        }
    }

    @Test
    void writesASuccessInTheShapeCelerysRpcBackendSends() {
        byte[] body = ResultMessage.success("t-1", IntNode.valueOf(5)).encode(mapper);

        assertThat(new String(body, StandardCharsets.UTF_8))
                .isEqualTo(
                        "{\"task_id\":\"t-1\",\"status\":\"SUCCESS\",\"result\":5,\"traceback\":null,\"children\":[]}");
    }

    @Test
    void writesAFailureAsCeleryWritesAnExceptionWithJsonSoThatTheClientRaisesIt() {
        var exception = ExceptionInfo.of(new IllegalStateException("no stock"));
        byte[] body = ResultMessage.failure(mapper, "t-2", TaskState.FAILURE, exception, "java.lang...")
                .encode(mapper);

        var root = mapper.readTree(body);
        assertThat(root.get("status").asString()).isEqualTo("FAILURE");
        assertThat(root.at("/result/exc_type").asString()).isEqualTo("IllegalStateException");
        assertThat(root.at("/result/exc_module").asString()).isEqualTo("java.lang");
        assertThat(root.at("/result/exc_message").toString()).isEqualTo("[\"no stock\"]");
        assertThat(root.get("traceback").asString()).isEqualTo("java.lang...");
    }

    @Test
    void namesNestedClassesAsPythonQualifiedNamesAndAMissingMessageAsNoArguments() {
        assertThat(ExceptionInfo.of(new Outer.InnerFailure("x")).type())
                .isEqualTo("ResultMessageTests.Outer.InnerFailure");
        assertThat(ExceptionInfo.of(new RuntimeException()).arguments()).isEmpty();
        assertThat(ExceptionInfo.of(new RuntimeException() {}).type()).isEqualTo("ResultMessageTests$1");
    }

    @Test
    void aRevocationIsCelerysTaskRevokedErrorWithTheReason() {
        ResultMessage revoked = ResultMessage.revoked(mapper, "t-3", "expired");

        assertThat(revoked.status()).isEqualTo(TaskState.REVOKED);
        assertThat(revoked.exception(mapper))
                .isEqualTo(new ExceptionInfo("TaskRevokedError", "celery.exceptions", List.of("expired")));
    }

    @Test
    void readsBackWhatItWritesAndWhatCeleryWrites() {
        ResultMessage written = ResultMessage.failure(
                mapper, "t-4", TaskState.RETRY, ExceptionInfo.of("ValueError", "builtins", "bad"), "tb");
        assertThat(ResultMessage.decode(mapper, written.encode(mapper))).isEqualTo(written);

        // As Celery 5.2's rpc backend publishes a Python task's failure.
        String celery = "{\"task_id\": \"t-5\", \"status\": \"FAILURE\", \"result\": {\"exc_type\": \"KeyError\","
                + " \"exc_message\": [\"k\"], \"exc_module\": \"builtins\"}, \"traceback\": \"Traceback...\","
                + " \"children\": []}";
        ResultMessage read = ResultMessage.decode(mapper, celery.getBytes(StandardCharsets.UTF_8));
        assertThat(read.exception(mapper).type()).isEqualTo("KeyError");
        assertThat(read.exception(mapper).message()).isEqualTo("k");
        assertThat(ResultMessage.success("t-6", IntNode.valueOf(1)).exception(mapper))
                .isNull();
    }

    @Test
    void refusesWhatIsNoResult() {
        assertThatThrownBy(() -> ResultMessage.decode(mapper, "[]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> ResultMessage.decode(
                        mapper, "{\"task_id\":\"x\",\"status\":\"DONE\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("DONE");
    }
}
