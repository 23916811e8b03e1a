package dev.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.producer.SubmitOptions;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskHandle;
import dev.celeriac.protocol.event.EventType;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Revocations published by the task client reach running workers, and workers that start later. */
class RevocationIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aWorkerStartedAfterARevokeStillHonoursIt() throws Exception {
        try (var producer = WorkerApps.declared(WorkerApps.start(rabbit.endpoint(), "celeriac.worker.enabled=false"));
                var events = new EventLog(rabbit.endpoint())) {
            TaskClient client = producer.getBean(TaskClient.class);
            TaskHandle revoked = client.submit("test.count", List.of(), Map.of(), SubmitOptions.defaults());
            TaskHandle kept = client.submit("demo.add", 1, 2);
            client.revoke(revoked.id(), false); // no worker is running yet

            try (var worker = WorkerApps.start(rabbit.endpoint(), "celeriac.worker.hostname=late@test")) {
                TaskEvent.Revoked event = events.awaitEvent(revoked.id(), EventType.TASK_REVOKED, WAIT);
                assertThat(event.terminated()).isFalse();
                assertThat(events.<TaskEvent.Succeeded>awaitEvent(kept.id(), EventType.TASK_SUCCEEDED, WAIT)
                                .result())
                        .isEqualTo("3");
                assertThat(events.of(revoked.id(), EventType.TASK_STARTED)).isEmpty();
            }
        }
    }

    @Test
    void aRevokeWithTerminateInterruptsATaskRunningOnAnotherWorker() throws Exception {
        try (var worker = WorkerApps.start(rabbit.endpoint(), "celeriac.worker.hostname=busy@test");
                var producer = WorkerApps.start(rabbit.endpoint(), "celeriac.worker.enabled=false");
                var events = new EventLog(rabbit.endpoint())) {
            TaskClient client = producer.getBean(TaskClient.class);
            TaskHandle sleeping = client.submit("demo.sleep", 60_000);
            events.await(sleeping.id(), EventType.TASK_STARTED, WAIT);

            client.revoke(sleeping.id(), true);

            TaskEvent.Revoked event = events.awaitEvent(sleeping.id(), EventType.TASK_REVOKED, Duration.ofSeconds(5));
            assertThat(event.terminated()).isTrue();
            assertThat(event.source().hostname()).isEqualTo("busy@test");
            await().during(Duration.ofMillis(500))
                    .until(() ->
                            events.of(sleeping.id(), EventType.TASK_SUCCEEDED).isEmpty());
        }
    }
}
