package dev.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.producer.SubmitOptions;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskHandle;
import dev.celeriac.protocol.event.EventType;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import dev.celeriac.testsupport.celery.CeleryPython;
import dev.celeriac.worker.ratelimit.RateLimit;
import dev.celeriac.worker.ratelimit.RateLimiter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Celery's own command line ({@code celery inspect}, {@code celery control}) against two Java workers. */
class CeleryRemoteControlIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    @TempDir
    static Path work;

    private static final String NODE = "java-a@interop";
    private static final String OTHER = "java-b@interop";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final JsonMapper json = JsonMapper.builder().build();

    private static ConfigurableApplicationContext worker;
    private static ConfigurableApplicationContext other;
    private static EventLog events;
    private static CeleryPython python;

    @BeforeAll
    static void start() throws Exception {
        worker = WorkerApps.start(
                rabbit.endpoint(), "celeriac.worker.hostname=" + NODE, "celeriac.worker.queues.default.concurrency=2");
        other = WorkerApps.start(
                rabbit.endpoint(), "celeriac.worker.hostname=" + OTHER, "celeriac.worker.queues.default.concurrency=1");
        events = new EventLog(rabbit.endpoint());
        python = CeleryPython.in(work, rabbit.endpoint());
    }

    @AfterAll
    static void stop() throws Exception {
        if (events != null) {
            events.close();
        }
        for (var context : new ConfigurableApplicationContext[] {worker, other}) {
            if (context != null) {
                context.close();
            }
        }
    }

    /** Runs {@code celery -b URL ARGS} and returns its output. */
    private static String celery(String... arguments) {
        var command = new ArrayList<>(List.of("-m", "celery", "-b", python.brokerUrl()));
        command.addAll(List.of(arguments));
        return python.run(Duration.ofSeconds(60), command.toArray(String[]::new));
    }

    /** Runs {@code celery inspect METHOD --json} and returns the replies by node. */
    private static JsonNode inspect(String... arguments) {
        var command = new ArrayList<>(List.of("inspect"));
        command.addAll(List.of(arguments));
        command.add("--json");
        return json.readTree(celery(command.toArray(String[]::new)));
    }

    private static TaskClient client() {
        return worker.getBean(TaskClient.class);
    }

    @Test
    void inspectPingGetsPongFromEveryJavaWorker() {
        JsonNode replies = inspect("ping");

        assertThat(replies.properties()).extracting(Map.Entry::getKey).containsExactlyInAnyOrder(NODE, OTHER);
        assertThat(replies.at("/" + NODE + "/ok").asString()).isEqualTo("pong");
        assertThat(replies.at("/" + OTHER + "/ok").asString()).isEqualTo("pong");
    }

    @Test
    void aDestinationSelectsOneWorker() {
        JsonNode replies = inspect("ping", "-d", OTHER);

        assertThat(replies.properties()).extracting(Map.Entry::getKey).containsExactly(OTHER);
    }

    @Test
    void inspectRegisteredListsTheJavaTasksSorted() {
        JsonNode registered = inspect("registered", "-d", NODE).get(NODE);

        List<String> names = StreamSupport.stream(registered.spliterator(), false)
                .map(JsonNode::asString)
                .toList();
        assertThat(names)
                .contains("demo.add", "demo.fail", "demo.sleep", "test.order")
                .isSorted();
    }

    @Test
    void inspectActiveShowsARunningTaskAndControlTerminateStopsIt() {
        TaskHandle sleeping = client().submit("demo.sleep", 60_000);
        await().atMost(WAIT)
                .until(() -> events.of(sleeping.id(), EventType.TASK_STARTED).size() == 1);
        String host = ((TaskEvent.Started) events.of(sleeping.id(), EventType.TASK_STARTED)
                        .getFirst()
                        .event())
                .source()
                .hostname();

        JsonNode active = inspect("active").get(host);
        assertThat(active).hasSize(1);
        JsonNode task = active.get(0);
        assertThat(task.get("id").asString()).isEqualTo(sleeping.id());
        assertThat(task.get("name").asString()).isEqualTo("demo.sleep");
        assertThat(task.get("args").toString()).isEqualTo("[60000]");
        assertThat(task.get("hostname").asString()).isEqualTo(host);
        assertThat(task.get("acknowledged").asBoolean()).isFalse();
        assertThat(task.at("/delivery_info/routing_key").asString()).isEqualTo("default");
        assertThat(task.get("worker_pid").asLong())
                .isEqualTo(ProcessHandle.current().pid());
        assertThat(task.get("time_start").asDouble())
                .isCloseTo(System.currentTimeMillis() / 1000.0, Offset.offset(60.0));
        JsonNode queried = inspect("query_task", sleeping.id()).get(host);
        assertThat(queried.at("/" + sleeping.id() + "/0").asString()).isEqualTo("active");

        String output = celery("control", "terminate", "SIGTERM", sleeping.id());

        assertThat(output).contains(host).contains("terminate: " + sleeping.id());
        TaskEvent.Revoked revoked = events.awaitEvent(sleeping.id(), EventType.TASK_REVOKED, WAIT);
        assertThat(revoked.terminated()).isTrue();
        assertThat(inspect("revoked", "-d", host).get(host).toString()).contains(sleeping.id());
    }

    @Test
    void controlRevokeStopsAWaitingTaskOnEveryWorkerAndOneStartedLaterToo() {
        TaskHandle waiting = client().submit(
                        "demo.add",
                        List.of(1, 2),
                        Map.of(),
                        SubmitOptions.defaults().withCountdown(Duration.ofSeconds(3)));

        String output = celery("control", "revoke", waiting.id());

        assertThat(output).contains(NODE).contains(OTHER).contains("tasks " + waiting.id() + " flagged as revoked");
        TaskEvent.Revoked revoked = events.awaitEvent(waiting.id(), EventType.TASK_REVOKED, WAIT);
        assertThat(revoked.terminated()).isFalse();
        assertThat(events.of(waiting.id(), EventType.TASK_STARTED)).isEmpty();
        // The broadcast revoke went to the revocation stream too: a worker that starts now knows it.
        try (var late = WorkerApps.start(rabbit.endpoint(), "celeriac.worker.hostname=java-late@interop")) {
            assertThat(inspect("revoked", "-d", "java-late@interop")
                            .get("java-late@interop")
                            .toString())
                    .contains(waiting.id());
        }
    }

    @Test
    void inspectStatsReportsTotalsPoolsAndTheBrokerWithoutItsPassword() {
        TaskHandle handle = client().submit("demo.add", 2, 3);
        events.await(handle.id(), EventType.TASK_SUCCEEDED, WAIT);

        JsonNode replies = inspect("stats");
        JsonNode stats = replies.get(NODE);
        long added = replies.get(NODE).at("/total/demo.add").asLong()
                + replies.get(OTHER).at("/total/demo.add").asLong();
        assertThat(added).isGreaterThanOrEqualTo(1);
        assertThat(stats.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(stats.at("/pool/max-concurrency").asInt()).isEqualTo(2);
        assertThat(stats.at("/pool/queues/default/pool").asString()).isEqualTo("platform");
        assertThat(stats.get("prefetch_count").asInt()).isEqualTo(3); // 2 slots + 1 lookahead
        assertThat(stats.at("/broker/virtual_host").asString())
                .isEqualTo(rabbit.endpoint().virtualHost());
        assertThat(stats.toString()).doesNotContain("password");
        assertThat(stats.get("uptime").asLong()).isNotNegative();
        assertThat(stats.at("/rusage/cpu_seconds").asDouble()).isPositive();
        assertThat(replies.get(OTHER).at("/pool/max-concurrency").asInt()).isEqualTo(1);
    }

    @Test
    void inspectActiveQueuesShowsTheQueueWithItsArguments() {
        JsonNode queues = inspect("active_queues", "-d", NODE).get(NODE);

        assertThat(queues).hasSize(1);
        assertThat(queues.at("/0/name").asString()).isEqualTo("default");
        assertThat(queues.at("/0/exchange/name").asString()).isEqualTo("celeriac.tasks");
        assertThat(queues.at("/0/queue_arguments/x-queue-type").asString()).isEqualTo("quorum");
    }

    @Test
    void eventsCanBeTurnedOffAndOnRemotely() {
        assertThat(celery("control", "disable_events", "-d", OTHER)).contains("task events disabled");
        assertThat(inspect("conf", "-d", OTHER)
                        .at("/" + OTHER + "/worker_send_task_events")
                        .asBoolean())
                .isFalse();
        assertThat(celery("control", "enable_events", "-d", OTHER)).contains("task events enabled");
        assertThat(inspect("conf", "-d", OTHER)
                        .at("/" + OTHER + "/worker_send_task_events")
                        .asBoolean())
                .isTrue();
    }

    /** {@code celery control rate_limit} changes a Java worker's limit of a task type while it runs, and lifts it. */
    @Test
    void controlRateLimitSetsAndLiftsAJavaWorkersLimitOfATaskType() {
        RateLimiter limiter = other.getBean(RateLimiter.class);

        assertThat(celery("control", "rate_limit", "-d", OTHER, "demo.echo", "30/m"))
                .contains("new rate limit set successfully");
        assertThat(limiter.limits()).containsEntry("demo.echo", RateLimit.parse("0.5/s"));
        assertThat(worker.getBean(RateLimiter.class).limits()).doesNotContainKey("demo.echo");
        assertThat(celery("control", "rate_limit", "-d", OTHER, "demo.nope", "1/s"))
                .contains("unknown task demo.nope");

        assertThat(celery("control", "rate_limit", "-d", OTHER, "demo.echo", "0"))
                .contains("rate limit disabled successfully");
        assertThat(limiter.limits()).doesNotContainKey("demo.echo");
    }

    @Test
    void aCommandJavaWorkersDoNotSupportGetsAClearError() {
        String output = celery("control", "pool_grow", "-d", NODE, "2");

        assertThat(output).contains("command 'pool_grow' is not supported by Celeriac workers");
    }
}
