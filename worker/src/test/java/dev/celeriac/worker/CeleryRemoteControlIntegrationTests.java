package dev.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.producer.SubmitOptions;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskHandle;
import dev.celeriac.protocol.control.RateLimit;
import dev.celeriac.protocol.event.EventType;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import dev.celeriac.testsupport.celery.CeleryPython;
import dev.celeriac.worker.ratelimit.RateLimiter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
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
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final JsonMapper json = JsonMapper.builder().build();
    private static final String OWN_QUEUE = "own";
    private static final String EXTRA_QUEUE = "extra";

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
        String output = celery("control", "pool_restart", "-d", NODE);

        assertThat(output).contains("command 'pool_restart' is not supported by Celeriac workers");
    }

    /** A worker of its own, on a queue of its own that no other worker consumes, with a pool of one slot. */
    private static ConfigurableApplicationContext own(String hostname) {
        return WorkerApps.start(
                rabbit.endpoint(),
                "celeriac.worker.hostname=" + hostname,
                "celeriac.topology.queues.default.kind=quorum",
                "celeriac.topology.queues." + OWN_QUEUE + ".kind=quorum",
                "celeriac.topology.queues." + EXTRA_QUEUE + ".kind=quorum",
                "celeriac.worker.queues." + OWN_QUEUE + ".concurrency=1");
    }

    private static List<TaskHandle> sleeps(TaskClient client, String queue, int count, long ms) {
        var options = SubmitOptions.defaults().withQueue(queue);
        return IntStream.range(0, count)
                .mapToObj(i -> client.submit("demo.sleep", List.of(ms), Map.of(), options))
                .toList();
    }

    /**
     * {@code celery control pool_grow} and {@code pool_shrink} resize a running Java worker's pool, and its prefetch
     * with it: grown from 1 to 3 slots, it runs three tasks at once and holds one more, which
     * {@code celery inspect reserved} lists.
     */
    @Test
    void poolGrowAndShrinkResizeARunningJavaWorkersPoolAndWhatItHolds() {
        String host = "java-pool@interop";
        try (var own = own(host)) {
            assertThat(celery("control", "pool_grow", "-d", host, "2")).contains("pool will grow");
            JsonNode stats = inspect("stats", "-d", host).get(host);
            assertThat(stats.at("/pool/max-concurrency").asInt()).isEqualTo(3);
            assertThat(stats.get("prefetch_count").asInt()).isEqualTo(4);

            // Long enough that the three running and the one held are there to see, however slow each inspect is; no
            // more than those four, so that the one slot left after the shrink has only the held one to run.
            List<TaskHandle> tasks = sleeps(own.getBean(TaskClient.class), OWN_QUEUE, 4, 8_000);
            await().atMost(WAIT)
                    .until(() -> inspect("active", "-d", host).get(host).size() == 3);
            JsonNode reserved = await().atMost(WAIT)
                    .until(() -> inspect("reserved", "-d", host).get(host), r -> r.size() == 1);
            assertThat(reserved.at("/0/name").asString()).isEqualTo("demo.sleep");
            assertThat(reserved.at("/0/time_start").isNull()).isTrue();
            assertThat(tasks.stream().map(TaskHandle::id))
                    .contains(reserved.at("/0/id").asString());

            assertThat(celery("control", "pool_shrink", "-d", host, "2")).contains("pool will shrink");
            stats = inspect("stats", "-d", host).get(host);
            assertThat(stats.at("/pool/max-concurrency").asInt()).isEqualTo(1);
            assertThat(stats.get("prefetch_count").asInt()).isEqualTo(2);
            assertThat(celery("control", "pool_shrink", "-d", host, "1")).contains("cannot shrink by 1");
            await().atMost(Duration.ofMinutes(3)).until(() -> events.succeeded(tasks) == tasks.size());
        }
    }

    /**
     * {@code celery control autoscale max min} makes a Java worker's pool grow under load, one slot a second at
     * most, up to its max; a fixed resize is then refused, as Celery refuses it.
     */
    @Test
    void autoscaleGrowsAJavaWorkersPoolUnderLoadUpToItsMax() {
        String host = "java-autoscale@interop";
        try (var own = own(host)) {
            assertThat(celery("control", "autoscale", "-d", host, "4", "1")).contains("autoscale now max=4 min=1");

            List<TaskHandle> tasks = sleeps(own.getBean(TaskClient.class), OWN_QUEUE, 16, 1_500);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> inspect("stats", "-d", host)
                                    .get(host)
                                    .at("/pool/max-concurrency")
                                    .asInt()
                            == 4);
            await().atMost(WAIT)
                    .until(() -> inspect("active", "-d", host).get(host).size() == 4);
            assertThat(celery("control", "pool_grow", "-d", host)).contains("not supported with autoscale");
            await().atMost(Duration.ofSeconds(60)).until(() -> events.succeeded(tasks) == tasks.size());
            assertThat(inspect("stats", "-d", host)
                            .get(host)
                            .at("/pool/max-concurrency")
                            .asInt())
                    .as("no shrink within the keepalive")
                    .isEqualTo(4);
        }
    }

    /**
     * {@code celery control add_consumer} makes a Java worker consume a declared queue it did not, and
     * {@code cancel_consumer} stops it again.
     */
    @Test
    void addAndCancelConsumerStartAndStopConsumingAQueue() throws Exception {
        String host = "java-consumer@interop";
        try (var own = own(host)) {
            TaskClient client = own.getBean(TaskClient.class);
            TaskHandle waiting = client.submit(
                    "demo.add",
                    List.of(1, 2),
                    Map.of(),
                    SubmitOptions.defaults().withQueue(EXTRA_QUEUE));
            assertThat(consumers(EXTRA_QUEUE)).isZero();

            assertThat(celery("control", "add_consumer", "-d", host, EXTRA_QUEUE))
                    .contains("add consumer " + EXTRA_QUEUE);
            events.await(waiting.id(), EventType.TASK_SUCCEEDED, WAIT);
            assertThat(StreamSupport.stream(
                                    inspect("active_queues", "-d", host)
                                            .get(host)
                                            .spliterator(),
                                    false)
                            .map(q -> q.get("name").asString()))
                    .containsExactlyInAnyOrder(OWN_QUEUE, EXTRA_QUEUE);
            assertThat(celery("control", "add_consumer", "-d", host, EXTRA_QUEUE))
                    .contains("already consuming from " + EXTRA_QUEUE);
            assertThat(celery("control", "add_consumer", "-d", host, "undeclared"))
                    .contains("queue 'undeclared' is not declared");

            assertThat(celery("control", "cancel_consumer", "-d", host, EXTRA_QUEUE))
                    .contains("no longer consuming from " + EXTRA_QUEUE);
            await().atMost(WAIT).until(() -> consumers(EXTRA_QUEUE) == 0);
            assertThat(inspect("active_queues", "-d", host).get(host)).hasSize(1);
        }
    }

    /**
     * {@code celery control time_limit} gives a task type new limits on a running Java worker: a 5-second sleep is
     * interrupted at its new soft limit of 0.3 s and fails long before it would have ended.
     */
    @Test
    void timeLimitChangesAJavaWorkersLimitsOfATaskType() {
        String host = "java-limits@interop";
        try (var own = own(host)) {
            assertThat(celery("control", "time_limit", "-d", host, "demo.sleep", "0.3", "2"))
                    .contains("time limits set successfully");
            assertThat(celery("control", "time_limit", "-d", host, "demo.nope", "1"))
                    .contains("unknown task");

            TaskHandle sleep = own.getBean(TaskClient.class)
                    .submit(
                            "demo.sleep",
                            List.of(5_000),
                            Map.of(),
                            SubmitOptions.defaults().withQueue(OWN_QUEUE).withMaxRetries(0));
            TaskEvent.Failed failed = events.awaitEvent(sleep.id(), EventType.TASK_FAILED, WAIT);
            assertThat(failed.exception()).contains("Interrupted");
            double ran = ((TaskEvent) failed).source().timestamp()
                    - events.of(sleep.id(), EventType.TASK_STARTED)
                            .getFirst()
                            .event()
                            .source()
                            .timestamp();
            assertThat(ran).as("seconds from start to failure").isLessThan(2.0);
        }
    }

    private static long consumers(String queue) throws Exception {
        try (var connection = rabbit.endpoint().connectionFactory().newConnection();
                var channel = connection.createChannel()) {
            return channel.queueDeclarePassive(queue).getConsumerCount();
        }
    }
}
