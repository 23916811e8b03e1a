package dev.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.celeriac.producer.SubmitOptions;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskHandle;
import dev.celeriac.protocol.event.EventType;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import dev.celeriac.worker.internal.control.Revocations;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

/** One in-process worker on a real broker, driven by the task client, watched through the durable event queue. */
class TaskExecutionIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static ConfigurableApplicationContext worker;
    private static EventLog events;
    private static Connection raw;

    @BeforeAll
    static void start() throws Exception {
        worker = WorkerApps.start(
                rabbit.endpoint(),
                "celeriac.worker.hostname=test-worker@here",
                "celeriac.worker.queues.default.concurrency=2");
        events = new EventLog(rabbit.endpoint());
        raw = rabbit.endpoint().connectionFactory().newConnection();
    }

    @AfterAll
    static void stop() throws Exception {
        raw.close();
        events.close();
        worker.close();
    }

    private static TaskClient client() {
        return worker.getBean(TaskClient.class);
    }

    /** Every dead letter read so far: reading takes them off the queue, so they are kept here. */
    private static final List<GetResponse> deadLetters = new CopyOnWriteArrayList<>();

    private static List<GetResponse> deadLettersOf(String id) throws Exception {
        try (Channel channel = raw.createChannel()) {
            GetResponse response;
            while ((response = channel.basicGet("default.dlq", true)) != null) {
                deadLetters.add(response);
            }
        }
        return deadLetters.stream()
                .filter(r -> id.equals(r.getProps().getCorrelationId()))
                .toList();
    }

    private static GetResponse awaitDeadLetter(String id) throws Exception {
        await().atMost(WAIT).until(() -> !deadLettersOf(id).isEmpty());
        return deadLettersOf(id).getFirst();
    }

    private static String header(GetResponse response, String name) {
        Object value = response.getProps().getHeaders().get(name);
        return value == null ? null : value.toString();
    }

    @Test
    void runsATaskAndReportsItsResult() {
        TaskHandle handle = client().submit("demo.add", 2, 3);

        TaskEvent.Succeeded succeeded = events.awaitEvent(handle.id(), EventType.TASK_SUCCEEDED, WAIT);

        assertThat(succeeded.result()).isEqualTo("5");
        assertThat(succeeded.runtime()).isPositive();
        assertThat(succeeded.source().hostname()).isEqualTo("test-worker@here");
        assertThat(events.of(handle.id()))
                .extracting(seen -> seen.event().type())
                .containsSubsequence(EventType.TASK_RECEIVED, EventType.TASK_STARTED, EventType.TASK_SUCCEEDED);
        var meters = worker.getBean(io.micrometer.core.instrument.MeterRegistry.class);
        await().atMost(WAIT)
                .until(() -> meters.find("celeriac.tasks.completed")
                                .tags("task", "demo.add", "queue", "default", "outcome", "success")
                                .counter()
                        != null);
        assertThat(meters.get("celeriac.task.runtime")
                        .tags("task", "demo.add")
                        .timer()
                        .count())
                .isPositive();
        assertThat(meters.get("celeriac.pool.size")
                        .tags("queue", "default", "pool", "platform")
                        .gauge()
                        .value())
                .isEqualTo(2.0);
    }

    @Test
    void bindsKeywordArgumentsByNameAndAWholeKwargsObjectToARecord() {
        TaskHandle byName = client().submit("demo.add", List.of(), Map.of("b", 40, "a", 2), SubmitOptions.defaults());
        TaskHandle record = client().submit(
                        "test.order", List.of(), Map.of("item", "celeriac", "quantity", 3), SubmitOptions.defaults());
        TaskHandle echo = client().submit("demo.echo", List.of(), Map.of("x", List.of(1, 2)), SubmitOptions.defaults());

        assertThat(events.<TaskEvent.Succeeded>awaitEvent(byName.id(), EventType.TASK_SUCCEEDED, WAIT)
                        .result())
                .isEqualTo("42");
        assertThat(events.<TaskEvent.Succeeded>awaitEvent(record.id(), EventType.TASK_SUCCEEDED, WAIT)
                        .result())
                .isEqualTo("\"3 x celeriac\"");
        assertThat(events.<TaskEvent.Succeeded>awaitEvent(echo.id(), EventType.TASK_SUCCEEDED, WAIT)
                        .result())
                .isEqualTo("{\"x\":[1,2]}");
    }

    @Test
    void reportsProgressAsTaskProgressEvents() {
        TaskHandle handle = client().submit("test.progress", 3);

        events.await(handle.id(), EventType.TASK_SUCCEEDED, WAIT);

        await().atMost(WAIT)
                .until(() -> events.of(handle.id(), EventType.TASK_PROGRESS).size() == 3);
        assertThat(events.of(handle.id(), EventType.TASK_PROGRESS))
                .extracting(s -> tools.jackson.databind.json.JsonMapper.builder()
                        .build()
                        .readTree(((TaskEvent.Progress) s.event()).progress())
                        .get("done")
                        .asInt())
                .containsExactlyInAnyOrder(1, 2, 3);
    }

    @Test
    void measuresHowLongATaskWaitedInItsQueue() {
        TaskHandle handle = client().submit("demo.add", 5, 5);
        events.await(handle.id(), EventType.TASK_SUCCEEDED, WAIT);
        var meters = worker.getBean(io.micrometer.core.instrument.MeterRegistry.class);
        assertThat(meters.get("celeriac.task.queue.wait")
                        .tags("task", "demo.add", "queue", "default")
                        .timer()
                        .count())
                .isPositive();
    }

    @Test
    void deadLettersArgumentsThatDoNotFitWithoutRetrying() throws Exception {
        TaskHandle missing = client().submit("demo.add", 1);
        TaskHandle unexpected = client().submit("demo.add", List.of(1, 2), Map.of("c", 3), SubmitOptions.defaults());

        GetResponse first = awaitDeadLetter(missing.id());
        GetResponse second = awaitDeadLetter(unexpected.id());

        assertThat(header(first, "x-celeriac-reason")).isEqualTo("bad-arguments");
        assertThat(header(first, "x-celeriac-exception-message"))
                .isEqualTo("demo.add() missing 1 required argument: 'b'");
        assertThat(header(second, "x-celeriac-exception-message"))
                .isEqualTo("demo.add() got an unexpected keyword argument 'c'");
        assertThat(events.of(missing.id(), EventType.TASK_RETRIED)).isEmpty();
    }

    @Test
    void retriesAFlakyTaskThroughTheDelayLadderUntilItSucceedsOnAttempt3() {
        TaskHandle handle = client().submit("demo.flaky", 2);

        TaskEvent.Succeeded succeeded = events.awaitEvent(handle.id(), EventType.TASK_SUCCEEDED, WAIT);

        assertThat(succeeded.result()).isEqualTo("3");
        var retried = events.of(handle.id(), EventType.TASK_RETRIED);
        var started = events.of(handle.id(), EventType.TASK_STARTED);
        assertThat(retried).hasSize(2);
        assertThat(started).hasSize(3);
        assertThat(retried.get(0).event().extra()).containsEntry("retries", 1);
        assertThat(retried.get(1).event().extra()).containsEntry("retries", 2);
        assertThat(((TaskEvent.Retried) retried.get(0).event()).exception()).startsWith("IllegalStateException(");
        // Backoff 500 ms, doubled, with jitter: 250-500 ms, then 500-1000 ms; both wait one 1 s tier of the ladder.
        for (int i = 0; i < 2; i++) {
            Duration gap =
                    Duration.between(retried.get(i).at(), started.get(i + 1).at());
            assertThat(gap)
                    .as("wait before attempt %d", i + 2)
                    .isBetween(Duration.ofMillis(900), Duration.ofSeconds(3));
        }
    }

    @Test
    void retriesWhenATaskAsksForItWithItsOwnDelay() {
        TaskHandle handle = client().submit("test.retryLater");

        TaskEvent.Succeeded succeeded = events.awaitEvent(handle.id(), EventType.TASK_SUCCEEDED, WAIT);

        assertThat(succeeded.result()).isEqualTo("2");
        var retried = events.of(handle.id(), EventType.TASK_RETRIED).getFirst();
        var second = events.of(handle.id(), EventType.TASK_STARTED).get(1);
        assertThat(Duration.between(retried.at(), second.at()))
                .isBetween(Duration.ofMillis(1900), Duration.ofSeconds(4));
    }

    @Test
    void deadLettersANonRetryableFailureOnceWithHeadersThatSayWhy() throws Exception {
        Instant before = Instant.now();
        TaskHandle handle = client().submit("demo.fail", "boom");

        TaskEvent.Failed failed = events.awaitEvent(handle.id(), EventType.TASK_FAILED, WAIT);
        GetResponse dead = awaitDeadLetter(handle.id());

        assertThat(failed.exception()).isEqualTo("NonRetryableException('boom')");
        assertThat(failed.traceback()).contains("dev.celeriac.worker.NonRetryableException: boom");
        assertThat(header(dead, "x-celeriac-reason")).isEqualTo("not-retryable");
        assertThat(header(dead, "x-celeriac-exception")).isEqualTo("dev.celeriac.worker.NonRetryableException");
        assertThat(header(dead, "x-celeriac-exception-message")).isEqualTo("boom");
        assertThat(header(dead, "x-celeriac-traceback")).contains("at dev.celeriac.worker.demo.DemoTasks.fail");
        assertThat(header(dead, "x-celeriac-original-queue")).isEqualTo("default");
        assertThat(header(dead, "x-celeriac-attempts")).isEqualTo("1");
        assertThat(header(dead, "x-celeriac-worker")).isEqualTo("test-worker@here");
        assertThat(Instant.parse(header(dead, "x-celeriac-failed-at").replace("+00:00", "Z")))
                .isAfter(before);
        assertThat(header(dead, "task")).isEqualTo("demo.fail");
        assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).startsWith("[[\"boom\"]");
        assertThat(events.of(handle.id(), EventType.TASK_RETRIED)).isEmpty();
        assertThat(events.of(handle.id(), EventType.TASK_STARTED)).hasSize(1);
        // Dead-lettered once: no second copy turns up.
        await().during(Duration.ofMillis(500))
                .until(() -> deadLettersOf(handle.id()).size() == 1);
    }

    @Test
    void deadLettersUndecodableMessagesAndUnknownTasksOnFirstDelivery() throws Exception {
        try (Channel channel = raw.createChannel()) {
            channel.confirmSelect();
            var props = new AMQP.BasicProperties.Builder()
                    .contentType("application/json")
                    .correlationId("garbled-1")
                    .headers(Map.of("task", "demo.add", "id", "garbled-1"))
                    .deliveryMode(2)
                    .build();
            channel.basicPublish(
                    "celeriac.tasks", "default", true, props, "[[1, 2], {".getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(5_000);
        }
        TaskHandle unknown = client().submit("demo.nobody.knows");

        GetResponse garbled = awaitDeadLetter("garbled-1");
        GetResponse stranger = awaitDeadLetter(unknown.id());

        assertThat(header(garbled, "x-celeriac-reason")).isEqualTo("malformed");
        assertThat(header(garbled, "x-celeriac-exception-message"))
                .startsWith("not-json: body is not valid UTF-8 JSON");
        assertThat(header(garbled, "x-celeriac-attempts")).isEqualTo("0");
        assertThat(header(stranger, "x-celeriac-reason")).isEqualTo("unknown-task");
        assertThat(header(stranger, "x-celeriac-exception-message"))
                .isEqualTo("no task 'demo.nobody.knows' is registered on worker test-worker@here");
        // First delivery: a redelivered message would carry x-delivery-count.
        assertThat(header(stranger, "x-delivery-count")).isIn(null, "0");
        TaskEvent.Rejected rejected = events.awaitEvent(unknown.id(), EventType.TASK_REJECTED, WAIT);
        assertThat(rejected.requeue()).isFalse();
    }

    @Test
    void startsACountdownTaskNoEarlierThanItsEta() {
        Instant submitted = Instant.now();
        TaskHandle handle = client().submit(
                        "demo.add",
                        List.of(1, 1),
                        Map.of(),
                        SubmitOptions.defaults().withCountdown(Duration.ofSeconds(3)));

        var started = events.await(handle.id(), EventType.TASK_STARTED, WAIT);

        assertThat(Duration.between(submitted, started.at())).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(5));
        assertThat(events.<TaskEvent.Succeeded>awaitEvent(handle.id(), EventType.TASK_SUCCEEDED, WAIT)
                        .result())
                .isEqualTo("2");
    }

    @Test
    void recordsAnExpiredTaskRevokedAndNeverRunsIt() {
        // Due after 1.2 s, the task waits two 1 s tiers of the ladder and has expired when it comes back.
        TaskHandle handle = client().submit(
                        "test.count",
                        List.of(),
                        Map.of(),
                        SubmitOptions.defaults()
                                .withCountdown(Duration.ofMillis(1200))
                                .withExpires(Instant.now().plusMillis(1500)));

        TaskEvent.Revoked revoked = events.awaitEvent(handle.id(), EventType.TASK_REVOKED, WAIT);

        assertThat(revoked.expired()).isTrue();
        assertThat(revoked.terminated()).isFalse();
        assertThat(events.of(handle.id(), EventType.TASK_STARTED)).isEmpty();
    }

    @Test
    void neverRunsATaskRevokedBeforeItStarts() {
        TaskHandle handle = client().submit(
                        "test.count",
                        List.of(),
                        Map.of(),
                        SubmitOptions.defaults().withCountdown(Duration.ofSeconds(2)));
        worker.getBean(Revocations.class).revoke(handle.id(), false);

        TaskEvent.Revoked revoked = events.awaitEvent(handle.id(), EventType.TASK_REVOKED, WAIT);

        assertThat(revoked.expired()).isFalse();
        assertThat(events.of(handle.id(), EventType.TASK_STARTED)).isEmpty();
    }

    @Test
    void interruptsARunningTaskRevokedWithTerminate() {
        TaskHandle handle = client().submit("demo.sleep", 30_000);
        events.await(handle.id(), EventType.TASK_STARTED, WAIT);

        worker.getBean(Revocations.class).revoke(handle.id(), true);

        TaskEvent.Revoked revoked = events.awaitEvent(handle.id(), EventType.TASK_REVOKED, Duration.ofSeconds(5));
        assertThat(revoked.terminated()).isTrue();
        assertThat(events.of(handle.id(), EventType.TASK_SUCCEEDED)).isEmpty();
    }
}
