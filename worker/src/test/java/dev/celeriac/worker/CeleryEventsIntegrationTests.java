package dev.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskHandle;
import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import dev.celeriac.testsupport.celery.CeleryPython;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Celery's monitors see Java workers: {@code celery events --dump} prints their task and worker events, and
 * {@code celery.events.State} (what Flower keeps) builds tasks and workers from them with the documented fields.
 */
class CeleryEventsIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    @TempDir
    static Path work;

    private static final String NODE = "java-events@interop";
    private static final Duration WAIT = Duration.ofSeconds(40);

    private static ConfigurableApplicationContext worker;
    private static CeleryPython python;

    @BeforeAll
    static void start() {
        worker = WorkerApps.start(
                rabbit.endpoint(), "celeriac.worker.hostname=" + NODE, "celeriac.worker.queues.default.concurrency=2");
        python = CeleryPython.in(work, rabbit.endpoint(), Path.of("src/test/celery/celery_state.py"));
    }

    @AfterAll
    static void stop() {
        if (worker != null) {
            worker.close();
        }
    }

    private static TaskClient client() {
        return worker.getBean(TaskClient.class);
    }

    private static String read(Path log) throws Exception {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private static List<String> linesOf(String log, String taskId) {
        return log.lines().filter(line -> line.contains(taskId)).toList();
    }

    @Test
    void celeryEventsDumpPrintsTheJavaWorkersTaskAndWorkerEvents() throws Exception {
        Path log = work.resolve("dump.log");
        Process dump = python.start(log, "-m", "celery", "-b", python.brokerUrl(), "events", "--dump");
        try {
            // Its queue exists once it prints the heartbeat it asks workers for when it starts.
            await().atMost(WAIT).until(() -> read(log).contains(NODE + " ["));

            TaskHandle added = client().submit("demo.add", 2, 3);
            TaskHandle failed = client().submit("demo.fail", "boom");

            await().atMost(WAIT)
                    .until(() -> linesOf(read(log), added.id()).stream().anyMatch(l -> l.contains("task succeeded"))
                            && linesOf(read(log), failed.id()).stream().anyMatch(l -> l.contains("task failed")));
            String text = read(log);
            List<String> add = linesOf(text, added.id());
            assertThat(add)
                    .anyMatch(l -> l.startsWith(NODE + " [")
                            && l.contains("task received: demo.add(" + added.id() + ") args=[2,3] kwargs={}")
                            && l.contains("retries=0"));
            assertThat(add).anyMatch(l -> l.contains("task started: demo.add(" + added.id() + ")"));
            assertThat(add)
                    .anyMatch(l -> l.contains("task succeeded: demo.add(" + added.id() + ")")
                            && l.contains("result=5")
                            && l.contains("runtime="));
            assertThat(linesOf(text, failed.id()))
                    .anyMatch(l -> l.contains("task failed: demo.fail(" + failed.id() + ")")
                            && l.contains("exception=NonRetryableException('boom')")
                            && l.contains("traceback=dev.celeriac.worker.NonRetryableException: boom"));
            assertThat(text.lines())
                    .anyMatch(l -> l.startsWith(NODE + " [")
                            && l.contains("heartbeat:")
                            && l.contains("sw_ident=celeriac")
                            && l.contains("freq=0.5")
                            && l.contains("pid=" + ProcessHandle.current().pid()));
        } finally {
            CeleryPython.stop(dump);
        }
    }

    @Test
    void celerysEventStateSeesTheJavaWorkerAliveAndItsTasksWithTheirFields() throws Exception {
        Path log = work.resolve("state.log");
        Process monitor = python.start(log, "celery_state.py", "3");
        try {
            await().atMost(WAIT).until(() -> read(log).contains("ready"));

            TaskHandle added = client().submit("demo.add", 20, 22);
            TaskHandle failed = client().submit("demo.fail", "no luck");
            TaskHandle retried = client().submit("demo.flaky", 1);

            await().atMost(WAIT).until(() -> read(log).lines().anyMatch(l -> l.startsWith("{")));
            JsonNode state = JsonMapper.builder()
                    .build()
                    .readTree(read(log)
                            .lines()
                            .filter(l -> l.startsWith("{"))
                            .findFirst()
                            .orElseThrow());

            JsonNode add = state.at("/tasks/" + added.id());
            assertThat(add.get("name").asString()).isEqualTo("demo.add");
            assertThat(add.get("state").asString()).isEqualTo("SUCCESS");
            assertThat(add.get("result").asString()).isEqualTo("42");
            // Celeriac writes argsrepr as JSON, where Celery writes a Python repr.
            assertThat(add.get("args").asString()).isEqualTo("[20,22]");
            assertThat(add.get("worker").asString()).isEqualTo(NODE);
            assertThat(add.get("runtime").asDouble()).isPositive();
            assertThat(add.get("received").asDouble()).isPositive();
            assertThat(add.get("started").asDouble())
                    .isGreaterThanOrEqualTo(add.get("received").asDouble());
            assertThat(add.get("succeeded").asDouble())
                    .isGreaterThanOrEqualTo(add.get("started").asDouble());
            assertThat(add.get("root_id").asString()).isEqualTo(added.id());

            JsonNode fail = state.at("/tasks/" + failed.id());
            assertThat(fail.get("state").asString()).isEqualTo("FAILURE");
            assertThat(fail.get("exception").asString()).isEqualTo("NonRetryableException('no luck')");
            assertThat(fail.get("traceback").asString()).contains("at dev.celeriac.worker.demo.DemoTasks.fail(");

            JsonNode retry = state.at("/tasks/" + retried.id());
            assertThat(retry.get("state").asString()).isEqualTo("SUCCESS");
            assertThat(retry.get("result").asString()).isEqualTo("2");
            assertThat(retry.get("retries").asInt()).isEqualTo(1);

            JsonNode java = state.at("/workers/" + NODE);
            assertThat(java.get("alive").asBoolean()).isTrue();
            assertThat(java.get("sw_ident").asString()).isEqualTo("celeriac");
            assertThat(java.get("sw_sys").asString()).isEqualTo(System.getProperty("os.name"));
            assertThat(java.get("freq").asDouble()).isEqualTo(0.5);
            assertThat(java.get("pid").asLong())
                    .isEqualTo(ProcessHandle.current().pid());
            // From a heartbeat sent after the three tasks ended (one of them run twice): it counts them.
            assertThat(java.get("processed").asInt()).isGreaterThanOrEqualTo(4);
        } finally {
            CeleryPython.stop(monitor);
        }
    }
}
