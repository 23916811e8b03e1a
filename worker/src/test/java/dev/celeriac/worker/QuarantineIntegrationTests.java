package dev.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskHandle;
import dev.celeriac.protocol.event.EventType;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.names.MetricNames;
import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A task whose worker died holding it comes back marked redelivered: the next worker quarantines it and runs it
 * alone, so that if it is what killed the first worker, it takes no other task with it.
 */
class QuarantineIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aTaskAWorkerDiedHoldingRunsAloneAndEveryOtherTaskRunsAsUsual() throws Exception {
        try (var producer = WorkerApps.declared(WorkerApps.start(rabbit.endpoint(), "celeriac.worker.enabled=false"));
                var events = new EventLog(rabbit.endpoint())) {
            TaskClient client = producer.getBean(TaskClient.class);
            TaskHandle suspect = client.submit("demo.sleep", 300);
            // A worker that dies holding it: taken without an ack, and its connection dropped.
            try (var dying = rabbit.endpoint().connectionFactory().newConnection()) {
                assertThat(dying.createChannel().basicGet("default", false)).isNotNull();
            }
            var others = new ArrayList<TaskHandle>();
            for (int i = 0; i < 30; i++) {
                others.add(client.submit("demo.sleep", 200));
            }

            try (var worker = WorkerApps.start(
                    rabbit.endpoint(),
                    "celeriac.worker.hostname=quarantine@test",
                    "celeriac.worker.queues.default.concurrency=4")) {
                TaskEvent.Succeeded done = events.awaitEvent(suspect.id(), EventType.TASK_SUCCEEDED, WAIT);
                TaskEvent.Started started = events.awaitEvent(suspect.id(), EventType.TASK_STARTED, WAIT);
                for (TaskHandle other : others) {
                    events.await(other.id(), EventType.TASK_SUCCEEDED, WAIT);
                }

                // Alone: no other task ran at any moment while it ran.
                var overlapping = new ArrayList<String>();
                for (TaskHandle other : others) {
                    double from = events.<TaskEvent.Started>awaitEvent(other.id(), EventType.TASK_STARTED, WAIT)
                            .source()
                            .timestamp();
                    double to = events.<TaskEvent.Succeeded>awaitEvent(other.id(), EventType.TASK_SUCCEEDED, WAIT)
                            .source()
                            .timestamp();
                    if (from < done.source().timestamp()
                            && to > started.source().timestamp()) {
                        overlapping.add(other.id());
                    }
                }
                assertThat(overlapping).isEmpty();
                assertThat(events.of(suspect.id(), EventType.TASK_STARTED)).hasSize(1);
                assertThat(worker.getBean(MeterRegistry.class)
                                .counter(MetricNames.TASKS_QUARANTINED, "task", "demo.sleep", "queue", "default")
                                .count())
                        .isEqualTo(1.0);
            }
        }
    }
}
