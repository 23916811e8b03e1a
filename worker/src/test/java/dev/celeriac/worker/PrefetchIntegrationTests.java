package dev.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.celeriac.producer.SubmitOptions;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskHandle;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.protocol.event.EventType;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Long tasks never starve short ones behind prefetch: a busy worker holds no more unstarted messages than its
 * lookahead, so short tasks queued after its long ones go to a free worker at once. (With Celery's default prefetch
 * of four messages per process slot, a busy worker would sit on a dozen of them.)
 */
class PrefetchIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    private static final List<String> SETTINGS = List.of(
            "celeriac.topology.queues.mixed.kind=quorum",
            "celeriac.worker.queues.mixed.concurrency=4",
            "celeriac.worker.queues.mixed.lookahead=1",
            "celeriac.worker.shutdown-grace=1s");

    private static String[] with(String... more) {
        var all = new ArrayList<>(SETTINGS);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private static List<TaskRequest> requests(int count, String task, List<?> args) {
        SubmitOptions mixed = SubmitOptions.defaults().withQueue("mixed");
        return IntStream.range(0, count)
                .mapToObj(i -> new TaskRequest(task, args, Map.of(), mixed))
                .toList();
    }

    @Test
    void fiftyLongTasksOnAPoolOfFourNeverStarveAThousandShortOnesBehindPrefetch() throws Exception {
        try (var busy = WorkerApps.start(rabbit.endpoint(), with("celeriac.worker.hostname=busy@test"));
                var events = new EventLog(rabbit.endpoint());
                Connection raw = rabbit.endpoint().connectionFactory().newConnection()) {
            TaskClient client = busy.getBean(TaskClient.class);
            // Five long tasks fill the busy worker: four run, one waits as its lookahead.
            List<TaskHandle> firstLong = client.submitAll(requests(5, "demo.sleep", List.of(15_000)));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> events.all(EventType.TASK_STARTED).size() == 4);
            List<TaskHandle> shortTasks = client.submitAll(requests(1000, "demo.noop", List.of()));
            client.submitAll(requests(45, "demo.sleep", List.of(15_000)));

            try (Channel channel = raw.createChannel()) {
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> channel.queueDeclarePassive("mixed").getMessageCount() == 1000 + 45);
                // Held on: nothing more than the one lookahead message arrives at the busy worker.
                await().during(Duration.ofSeconds(1))
                        .until(() -> channel.queueDeclarePassive("mixed").getMessageCount() == 1000 + 45);
            }
            Instant busyUntil = events.await(firstLong.getFirst().id(), EventType.TASK_STARTED, Duration.ofSeconds(5))
                    .at()
                    .plusSeconds(15);

            try (var free = WorkerApps.start(rabbit.endpoint(), with("celeriac.worker.hostname=free@test"))) {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> shortTasks.stream()
                                .allMatch(t -> !events.of(t.id(), EventType.TASK_SUCCEEDED)
                                        .isEmpty()));
            }
            var shortIds = shortTasks.stream().map(TaskHandle::id).collect(Collectors.toSet());
            var shortDone = events.all(EventType.TASK_SUCCEEDED).stream()
                    .filter(s -> shortIds.contains(((TaskEvent) s.event()).uuid()))
                    .toList();
            assertThat(shortDone).hasSize(1000);
            assertThat(shortDone)
                    .as("every short task ran on the free worker, none waited behind the busy one")
                    .allMatch(s -> s.event().source().hostname().equals("free@test"));
            assertThat(shortDone)
                    .as("every short task finished while the busy worker was still on its long tasks")
                    .allMatch(s -> s.at().isBefore(busyUntil));
        }
    }
}
