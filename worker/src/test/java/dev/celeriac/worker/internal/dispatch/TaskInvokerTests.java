package dev.celeriac.worker.internal.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.celeriac.protocol.control.RateLimit;
import dev.celeriac.protocol.message.TimeLimit;
import dev.celeriac.worker.TaskContext;
import dev.celeriac.worker.internal.retry.RetryPolicy;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

class TaskInvokerTests {

    private final JsonMapper json = JsonMapper.builder().build();
    private final TaskInvoker invoker = new TaskInvoker(json);

    public record Point(int x, int y) {}

    public static class Tasks {
        public long add(long a, long b) {
            return a + b;
        }

        public String greet(String name, TaskContext context) {
            return "hello " + name + " #" + context.attempt();
        }

        public Map<String, Object> echo(Map<String, Object> kwargs) {
            return kwargs;
        }

        public int area(Point p) {
            return p.x() * p.y();
        }

        public int sum(List<Integer> numbers) {
            return numbers.stream().mapToInt(Integer::intValue).sum();
        }

        public void nothing() {}
    }

    private TaskDefinition task(String method) {
        var m = Arrays.stream(Tasks.class.getMethods())
                .filter(x -> x.getName().equals(method))
                .findFirst()
                .orElseThrow();
        return new TaskDefinition(
                "t." + method,
                new Tasks(),
                m,
                new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofMinutes(10), List.of(Exception.class), List.of()),
                TimeLimit.NONE,
                RateLimit.NONE,
                RateLimit.NONE);
    }

    private JsonNode call(String method, String args, String kwargs) throws Throwable {
        return invoker.invoke(
                task(method), (ArrayNode) json.readTree(args), (ObjectNode) json.readTree(kwargs), new TaskContext() {
                    public String id() {
                        return "id";
                    }

                    public String name() {
                        return "t";
                    }

                    public String queue() {
                        return "default";
                    }

                    public int retries() {
                        return 2;
                    }

                    public Map<String, Object> headers() {
                        return Map.of();
                    }

                    public boolean isRevoked() {
                        return false;
                    }

                    public void reportProgress(Object progress) {}
                });
    }

    @Test
    void bindsPositionalThenKeywordArguments() throws Throwable {
        assertThat(call("add", "[2, 3]", "{}").asLong()).isEqualTo(5);
        assertThat(call("add", "[2]", "{\"b\": 40}").asLong()).isEqualTo(42);
        assertThat(call("add", "[]", "{\"b\": 1, \"a\": 2}").asLong()).isEqualTo(3);
    }

    @Test
    void injectsTheTaskContextWhereverItIsDeclared() throws Throwable {
        assertThat(call("greet", "[\"ada\"]", "{}").asString()).isEqualTo("hello ada #3");
    }

    @Test
    void bindsTheWholeKwargsToASingleMapOrRecordParameter() throws Throwable {
        assertThat(call("echo", "[]", "{\"a\": [1, {\"b\": null}]}"))
                .isEqualTo(json.readTree("{\"a\": [1, {\"b\": null}]}"));
        assertThat(call("area", "[]", "{\"x\": 3, \"y\": 4}").asInt()).isEqualTo(12);
        assertThat(call("area", "[{\"x\": 2, \"y\": 5}]", "{}").asInt()).isEqualTo(10);
    }

    @Test
    void convertsGenericParameters() throws Throwable {
        assertThat(call("sum", "[[1, 2, 3]]", "{}").asInt()).isEqualTo(6);
    }

    @Test
    void returnsNullForAVoidTask() throws Throwable {
        assertThat(call("nothing", "[]", "{}")).isNull();
    }

    @Test
    void explainsArgumentsThatDoNotFitInPythonsWords() {
        assertThatThrownBy(() -> call("add", "[1, 2, 3]", "{}"))
                .isInstanceOf(ArgumentBindingException.class)
                .hasMessage("t.add() takes 2 positional arguments but 3 were given");
        assertThatThrownBy(() -> call("add", "[1]", "{}")).hasMessage("t.add() missing 1 required argument: 'b'");
        assertThatThrownBy(() -> call("add", "[]", "{}")).hasMessage("t.add() missing 2 required arguments: 'a', 'b'");
        assertThatThrownBy(() -> call("add", "[1, 2]", "{\"a\": 1}"))
                .hasMessage("t.add() got multiple values for argument 'a'");
        assertThatThrownBy(() -> call("add", "[1, 2]", "{\"z\": 1}"))
                .hasMessage("t.add() got an unexpected keyword argument 'z'");
        assertThatThrownBy(() -> call("add", "[\"x\", 2]", "{}"))
                .isInstanceOf(ArgumentBindingException.class)
                .hasMessageStartingWith("t.add() argument 'a' cannot be read as long");
        assertThatThrownBy(() -> call("add", "[null, 2]", "{}")).hasMessageContaining("argument 'a' must not be null");
    }
}
