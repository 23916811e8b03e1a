package dev.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.producer.SubmitOptions;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskHandle;
import dev.celeriac.protocol.event.EventType;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.message.TimeLimit;
import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

/** Time limits on a pool of one slot, where a stuck task would block everything behind it. */
class TimeLimitIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static ConfigurableApplicationContext worker;
    private static EventLog events;

    @BeforeAll
    static void start() throws Exception {
        worker = WorkerApps.start(
                rabbit.endpoint(),
                "celeriac.worker.queues.default.concurrency=1",
                "celeriac.worker.queues.default.lookahead=1");
        events = new EventLog(rabbit.endpoint());
    }

    @AfterAll
    static void stop() throws Exception {
        events.close();
        worker.close();
    }

    private static TaskClient client() {
        return worker.getBean(TaskClient.class);
    }

    @Test
    void interruptsATaskAtItsSoftLimitAndFreesTheSlot() {
        TaskHandle polite = client().submit("test.polite", 60_000);
        TaskHandle next = client().submit("demo.add", 1, 2);

        TaskEvent.Failed failed = events.awaitEvent(polite.id(), EventType.TASK_FAILED, WAIT);
        var politeStart = events.await(polite.id(), EventType.TASK_STARTED, WAIT);
        var politeEnd = events.await(polite.id(), EventType.TASK_FAILED, WAIT);

        assertThat(failed.exception()).startsWith("InterruptedException(");
        assertThat(Duration.between(politeStart.at(), politeEnd.at()))
                .isBetween(Duration.ofMillis(250), Duration.ofSeconds(5));
        assertThat(events.<TaskEvent.Succeeded>awaitEvent(next.id(), EventType.TASK_SUCCEEDED, WAIT)
                        .result())
                .isEqualTo("3");
    }

    @Test
    void abandonsATaskAtItsHardLimitFreesItsSlotAndFailsTheAttempt() {
        TaskHandle stubborn = client().submit("test.stubborn", 8_000);
        TaskHandle next = client().submit("demo.add", 2, 2);

        TaskEvent.Failed failed = events.awaitEvent(stubborn.id(), EventType.TASK_FAILED, WAIT);
        var nextDone = events.await(next.id(), EventType.TASK_SUCCEEDED, WAIT);
        var stubbornStart = events.await(stubborn.id(), EventType.TASK_STARTED, WAIT);

        assertThat(failed.exception()).startsWith("TimeLimitExceededException(");
        assertThat(failed.extra()).containsEntry("reason", "retries-exhausted");
        // The next task ran while the abandoned thread still spun: the slot was freed at the 1 s hard limit.
        assertThat(Duration.between(stubbornStart.at(), nextDone.at()))
                .isBetween(Duration.ofMillis(900), Duration.ofSeconds(6));
    }

    @Test
    void takesTimeLimitsFromTheMessageOverTheTasksOwn() {
        TaskHandle handle = client().submit(
                        "demo.sleep",
                        List.of(10_000),
                        Map.of(),
                        SubmitOptions.defaults()
                                .withTimeLimit(new TimeLimit(Duration.ofMillis(200), null))
                                .withMaxRetries(0));

        TaskEvent.Failed failed = events.awaitEvent(handle.id(), EventType.TASK_FAILED, WAIT);

        assertThat(failed.exception()).startsWith("InterruptedException(");
    }
}
