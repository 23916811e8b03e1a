package dev.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskHandle;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.protocol.event.EventType;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.names.LogFields;
import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import dev.celeriac.testsupport.broker.RabbitEndpoint;
import dev.celeriac.testsupport.celery.CeleryPython;
import dev.celeriac.worker.lifecycle.Worker;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The runnable worker as users run it, a JVM of its own, stopped with SIGTERM and killed with SIGKILL mid-run: no
 * task is lost, and a kill re-runs at most the tasks that were running.
 */
class WorkerProcessIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    private static final int POOL = 4;

    private static Process startWorker(RabbitEndpoint endpoint, String name, Path log, String... more)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var command = new ArrayList<>(List.of(
                java,
                "-jar",
                Path.of("target", "celeriac-worker.jar").toString(),
                "--spring.rabbitmq.host=" + endpoint.host(),
                "--spring.rabbitmq.port=" + endpoint.port(),
                "--spring.rabbitmq.username=" + endpoint.username(),
                "--spring.rabbitmq.password=" + endpoint.password(),
                "--spring.rabbitmq.virtual-host=" + endpoint.virtualHost(),
                "--celeriac.worker.hostname=" + name,
                "--server.port=0",
                "--celeriac.worker.queues.default.concurrency=" + POOL,
                "--celeriac.worker.shutdown-grace=10s"));
        command.addAll(List.of(more));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return process;
    }

    /** A producer only: the task client with the worker switched off. */
    private static ConfigurableApplicationContext producer() {
        return WorkerApps.declared(WorkerApps.start(rabbit.endpoint(), "celeriac.worker.enabled=false"));
    }

    private static void awaitOnline(EventLog events, String hostname) {
        // A wait, not a speed limit: a worker JVM starting on a busy machine.
        await().atMost(Duration.ofMinutes(3))
                .until(() -> events.all(EventType.WORKER_ONLINE).stream()
                        .anyMatch(s -> s.event().source().hostname().equals(hostname)));
    }

    private static Map<String, Long> successes(EventLog events, List<TaskHandle> tasks) {
        var ids = tasks.stream().map(TaskHandle::id).collect(Collectors.toSet());
        return events.all(EventType.TASK_SUCCEEDED).stream()
                .map(s -> ((TaskEvent) s.event()).uuid())
                .filter(ids::contains)
                .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
    }

    private static List<TaskRequest> sleeps(int count, long ms) {
        return IntStream.range(0, count)
                .mapToObj(i -> TaskRequest.of("demo.sleep", ms))
                .toList();
    }

    @Test
    void sigtermLetsRunningTasksFinishHandsBackTheRestAndExitsZero() throws Exception {
        Path log = File.createTempFile("celeriac-worker-sigterm", ".log").toPath();
        try (var producer = producer();
                var events = new EventLog(rabbit.endpoint())) {
            Process worker = startWorker(rabbit.endpoint(), "sigterm@test", log);
            List<TaskHandle> tasks;
            try {
                awaitOnline(events, "sigterm@test");
                // A task's own log line names the task, as Celery's do: "INFO demo.log[<id>]".
                TaskHandle logs = producer.getBean(TaskClient.class).submit("demo.log", "a line of the task");
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> Files.readString(log).contains("a line of the task"));
                assertThat(Files.readAllLines(log))
                        .filteredOn(line -> line.endsWith("a line of the task"))
                        .singleElement()
                        .asString()
                        .contains(" INFO demo.log[" + logs.id() + "] ");
                assertThat(Files.readAllLines(log))
                        .as("lines outside a task name none")
                        .noneMatch(line -> line.contains("INFO []"));
                tasks = producer.getBean(TaskClient.class).submitAll(sleeps(20, 2_000));
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> events.all(EventType.TASK_STARTED).size() >= POOL);

                worker.destroy(); // SIGTERM

                assertThat(worker.waitFor(30, TimeUnit.SECONDS))
                        .as("exited within the grace period")
                        .isTrue();
                assertThat(worker.exitValue()).as("exit code; log at %s", log).isZero();
                // The tasks that were running when SIGTERM came finished and were reported, before the exit.
                long finishedByFirst = successes(events, tasks).size();
                System.out.printf(
                        "sigterm: exit %d, %d of 20 tasks finished by the stopping worker%n",
                        worker.exitValue(), finishedByFirst);
                assertThat(finishedByFirst).isGreaterThanOrEqualTo(POOL);
                assertThat(events.all(EventType.WORKER_OFFLINE)).isNotEmpty();
            } finally {
                worker.destroyForcibly();
            }
            try (var second = WorkerApps.start(
                    rabbit.endpoint(),
                    "celeriac.worker.hostname=second@test",
                    "celeriac.worker.queues.default.concurrency=8")) {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> successes(events, tasks).size() >= 20);
            }
            Map<String, Long> done = successes(events, tasks);
            assertThat(done)
                    .as("every task succeeded exactly once")
                    .hasSize(20)
                    .allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
        }
    }

    /**
     * Celery's {@code celery control shutdown} drains a Java worker as a SIGTERM does: it answers, lets the tasks it
     * runs finish, hands back the rest and exits 0, so its supervisor does not take it for a crash.
     */
    @Test
    void celeryControlShutdownDrainsTheWorkerAndExitsZero(@TempDir Path work) throws Exception {
        Path log = File.createTempFile("celeriac-worker-shutdown", ".log").toPath();
        try (var producer = producer();
                var events = new EventLog(rabbit.endpoint())) {
            Process worker = startWorker(rabbit.endpoint(), "shutdown@test", log);
            try {
                awaitOnline(events, "shutdown@test");
                List<TaskHandle> tasks = producer.getBean(TaskClient.class).submitAll(sleeps(POOL, 1_500));
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> events.all(EventType.TASK_STARTED).size() >= POOL);

                var celery = CeleryPython.in(work, rabbit.endpoint());
                String answer = celery.run(
                        Duration.ofSeconds(60),
                        "-m",
                        "celery",
                        "-b",
                        celery.brokerUrl(),
                        "control",
                        "shutdown",
                        "-d",
                        "shutdown@test");

                assertThat(answer).contains("shutdown@test").contains("shutting down");
                assertThat(worker.waitFor(30, TimeUnit.SECONDS))
                        .as("exited; log at %s", log)
                        .isTrue();
                assertThat(worker.exitValue()).isZero();
                assertThat(successes(events, tasks))
                        .as("the tasks it ran finished first")
                        .hasSize(POOL);
                assertThat(events.all(EventType.WORKER_OFFLINE)).isNotEmpty();
                assertThat(Files.readString(log)).contains("shuts down, asked by remote control");
            } finally {
                worker.destroyForcibly();
            }
        }
    }

    /**
     * A worker whose pool holds more threads still running tasks abandoned at their hard time limit than
     * {@code max-abandoned-threads} drains and exits with code 75, so that its supervisor (Docker's restart policy,
     * Kubernetes) starts a fresh JVM instead of one whose threads are lost to tasks that never end. The abandoned
     * attempts themselves are failed and reported, before the exit.
     */
    @Test
    void aWorkerWhoseAbandonedThreadsPassTheLimitReportsThemAndExitsToBeStartedAfresh() throws Exception {
        Path log = File.createTempFile("celeriac-worker-recycle", ".log").toPath();
        try (var producer = producer();
                var events = new EventLog(rabbit.endpoint())) {
            Process worker = startWorker(
                    rabbit.endpoint(),
                    "recycle@test",
                    log,
                    "--celeriac.demo.fault-tasks=true",
                    "--celeriac.worker.max-abandoned-threads=1");
            try {
                awaitOnline(events, "recycle@test");
                var client = producer.getBean(TaskClient.class);
                // The first abandoned thread is within the limit; the second passes it.
                TaskHandle first = client.submit("demo.spin", 120_000);
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> failed(events).contains(first.id()));
                assertThat(worker.isAlive())
                        .as("one abandoned thread is within the limit")
                        .isTrue();
                TaskHandle second = client.submit("demo.spin", 120_000);

                assertThat(worker.waitFor(60, TimeUnit.SECONDS))
                        .as("exited; log at %s", log)
                        .isTrue();
                assertThat(worker.exitValue()).as("exit code; log at %s", log).isEqualTo(Worker.RECYCLE_EXIT_CODE);
                assertThat(failed(events)).contains(first.id(), second.id());
                assertThat(events.all(EventType.TASK_FAILED).stream()
                                .map(s -> (TaskEvent.Failed) s.event())
                                .filter(e -> e.uuid().equals(second.id()))
                                .map(TaskEvent.Failed::exception))
                        .singleElement()
                        .asString()
                        .startsWith("TimeLimitExceededException(");
                assertThat(events.all(EventType.WORKER_OFFLINE)).isNotEmpty();
            } finally {
                worker.destroyForcibly();
            }
        }
    }

    private static List<String> failed(EventLog events) {
        return events.all(EventType.TASK_FAILED).stream()
                .map(s -> ((TaskEvent) s.event()).uuid())
                .toList();
    }

    /**
     * With Spring Boot's structured logging, each line is a JSON object, and a task's lines carry its id, name,
     * attempt and queue as fields of their own, for log shippers to index; lines outside a task carry none.
     */
    @Test
    void structuredLogsGiveEachLineOfATaskItsTaskAsFields() throws Exception {
        Path log = File.createTempFile("celeriac-worker-json", ".log").toPath();
        try (var producer = producer();
                var events = new EventLog(rabbit.endpoint())) {
            Process worker =
                    startWorker(rabbit.endpoint(), "json@test", log, "--logging.structured.format.console=ecs");
            try {
                awaitOnline(events, "json@test");
                TaskHandle task = producer.getBean(TaskClient.class).submit("demo.log", "a line as JSON");
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> Files.readString(log).contains("a line as JSON"));
                var mapper = JsonMapper.builder().build();
                List<JsonNode> lines = Files.readAllLines(log).stream()
                        .filter(line -> line.startsWith("{"))
                        .map(mapper::readTree)
                        .toList();
                assertThat(lines).hasSizeGreaterThan(10);
                assertThat(lines)
                        .filteredOn(line ->
                                "a line as JSON".equals(line.path("message").asString()))
                        .singleElement()
                        .satisfies(line -> {
                            assertThat(line.path(LogFields.TASK_ID).asString()).isEqualTo(task.id());
                            assertThat(line.path(LogFields.TASK_NAME).asString())
                                    .isEqualTo("demo.log");
                            assertThat(line.path(LogFields.TASK_ATTEMPT).asString())
                                    .isEqualTo("1");
                            assertThat(line.path(LogFields.TASK_QUEUE).asString())
                                    .isEqualTo("default");
                        });
                assertThat(lines)
                        .filteredOn(line -> line.path("message").asString().contains(" is ready"))
                        .singleElement()
                        .satisfies(
                                line -> assertThat(line.has(LogFields.TASK_ID)).isFalse());
            } finally {
                worker.destroyForcibly();
            }
        }
    }

    @Test
    void sigkillMidRunLosesNothingAndReRunsAtMostTheTasksThatWereRunning() throws Exception {
        Path log = File.createTempFile("celeriac-worker-sigkill", ".log").toPath();
        try (var producer = producer();
                var events = new EventLog(rabbit.endpoint())) {
            Process worker = startWorker(rabbit.endpoint(), "sigkill@test", log);
            List<TaskHandle> tasks;
            try {
                awaitOnline(events, "sigkill@test");
                tasks = producer.getBean(TaskClient.class).submitAll(sleeps(40, 1_000));
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> successes(events, tasks).size() >= 12);

                worker.destroyForcibly(); // SIGKILL, mid-run
                assertThat(worker.waitFor(10, TimeUnit.SECONDS)).isTrue();
            } finally {
                worker.destroyForcibly();
            }
            try (var second = WorkerApps.start(
                    rabbit.endpoint(),
                    "celeriac.worker.hostname=after-kill@test",
                    "celeriac.worker.queues.default.concurrency=8")) {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> successes(events, tasks).size() == 40);
            }
            Map<String, Long> succeeded = successes(events, tasks);
            long duplicateSuccesses =
                    succeeded.values().stream().mapToLong(n -> n - 1).sum();
            var ids = tasks.stream().map(TaskHandle::id).collect(Collectors.toSet());
            long starts = events.all(EventType.TASK_STARTED).stream()
                    .filter(s -> ids.contains(((TaskEvent) s.event()).uuid()))
                    .count();
            System.out.printf(
                    "sigkill: 40 tasks, lost %d, re-run executions %d, duplicate successes %d (pool %d)%n",
                    40 - succeeded.size(), starts - 40, duplicateSuccesses, POOL);
            assertThat(succeeded).as("lost = 0: every task succeeded").hasSize(40);
            assertThat(duplicateSuccesses).as("duplicate successes").isLessThanOrEqualTo(POOL);
            assertThat(starts - 40)
                    .as("re-run executions, at most the pool size")
                    .isBetween(0L, (long) POOL);
        }
    }
}
