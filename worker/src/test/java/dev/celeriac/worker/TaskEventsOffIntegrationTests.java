package dev.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.protocol.event.EventType;
import dev.celeriac.protocol.names.MetricNames;
import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** With task events off, tasks still run exactly once and are acked, and only worker events are sent. */
class TaskEventsOffIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    @Test
    void runsAndAcksTasksWithoutSendingTaskEventsButKeepsHeartbeats() throws Exception {
        try (var worker = WorkerApps.declared(WorkerApps.start(
                        rabbit.endpoint(),
                        "celeriac.worker.task-events=false",
                        "celeriac.producer.send-sent-events=false"));
                var events = new EventLog(rabbit.endpoint());
                var connection = rabbit.endpoint().connectionFactory().newConnection()) {
            List<TaskRequest> tasks = IntStream.range(0, 20)
                    .mapToObj(i -> TaskRequest.of("demo.add", i, 1))
                    .toList();
            worker.getBean(TaskClient.class).submitAll(tasks);

            var registry = worker.getBean(MeterRegistry.class);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> registry.get(MetricNames.TASKS_COMPLETED)
                                    .tags(MetricNames.TAG_TASK, "demo.add", MetricNames.TAG_OUTCOME, "success")
                                    .counter()
                                    .count()
                            == 20);
            try (var channel = connection.createChannel()) {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> channel.queueDeclarePassive("default").getMessageCount() == 0);
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !events.all(EventType.WORKER_HEARTBEAT).isEmpty());
            for (EventType type : EventType.values()) {
                if (type.name().startsWith("TASK_")) {
                    assertThat(events.all(type)).as(type.name()).isEmpty();
                }
            }
            assertThat(registry.get(MetricNames.TASKS_COMPLETED)
                            .tags(MetricNames.TAG_TASK, "demo.add", MetricNames.TAG_OUTCOME, "success")
                            .counter()
                            .count())
                    .isEqualTo(20);
        }
    }
}
