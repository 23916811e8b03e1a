package dev.celeriac.worker.internal.results;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.protocol.message.TaskBody;
import dev.celeriac.protocol.message.TaskHeaders;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.message.TaskProperties;
import dev.celeriac.protocol.result.ExceptionInfo;
import dev.celeriac.worker.TimeLimitExceededException;
import dev.celeriac.worker.internal.dispatch.ArgumentBindingException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultRepliesTests {

    private static TaskMessage task(String replyTo, boolean ignoreResult) {
        return new TaskMessage(
                TaskProperties.forTask("t-1").withReplyTo(replyTo),
                TaskHeaders.builder("demo.add", "t-1")
                        .ignoreResult(ignoreResult)
                        .build(),
                new TaskBody(null, null, null));
    }

    @Test
    void repliesOnlyToASenderThatWaitsAndWantsTheResult() {
        assertThat(ResultReplies.wanted(task("client-oid", false))).isTrue();
        assertThat(ResultReplies.wanted(task(null, false))).isFalse();
        assertThat(ResultReplies.wanted(task(" ", false))).isFalse();
        assertThat(ResultReplies.wanted(task("client-oid", true))).isFalse();
    }

    @Test
    void givesJavaFailuresWithAPythonCounterpartItsName() {
        assertThat(ResultReplies.exceptionOf(new ArgumentBindingException("f() takes 2 positional arguments")))
                .isEqualTo(new ExceptionInfo("TypeError", "builtins", List.of("f() takes 2 positional arguments")));
        assertThat(ResultReplies.exceptionOf(new TimeLimitExceededException("demo.sleep", Duration.ofSeconds(1)))
                        .type())
                .isEqualTo("TimeLimitExceeded");
        assertThat(ResultReplies.exceptionOf(new IllegalArgumentException("n < 0")))
                .isEqualTo(new ExceptionInfo("IllegalArgumentException", "java.lang", List.of("n < 0")));
    }
}
