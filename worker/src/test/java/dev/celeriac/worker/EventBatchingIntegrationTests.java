package dev.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.DeliverCallback;
import dev.celeriac.producer.amqp.BrokerConnections;
import dev.celeriac.producer.amqp.ConfirmedPublisher;
import dev.celeriac.protocol.event.CeleryEvent;
import dev.celeriac.protocol.event.EventCodec;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import dev.celeriac.worker.internal.events.EventPublisher;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import tools.jackson.databind.json.JsonMapper;

/** Task events of many tasks at once share broker messages, each task's events still in order, none lost. */
class EventBatchingIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    @Test
    void concurrentTaskEventsGoOutInFewerMessagesInOrderAndAllConfirmed() throws Exception {
        var codec = new EventCodec(JsonMapper.builder().build());
        try (var context = WorkerApps.declared(WorkerApps.start(rabbit.endpoint(), "celeriac.worker.enabled=false"));
                var connection = rabbit.endpoint().connectionFactory().newConnection()) {
            var messages = new AtomicInteger();
            var events = new CopyOnWriteArrayList<CeleryEvent>();
            DeliverCallback onMessage = (tag, delivery) -> {
                messages.incrementAndGet();
                events.addAll(codec.decode(delivery.getBody()));
            };
            connection.createChannel().basicConsume("celeriac.events", true, onMessage, tag -> {});

            var publisher = new EventPublisher(
                    new ConfirmedPublisher(
                            context.getBean(ConnectionFactory.class), context.getBean(BrokerConnections.class)),
                    codec,
                    "batching@test",
                    Duration.ofSeconds(10),
                    true);
            int tasks = 400;
            try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < tasks; i++) {
                    String id = "task-" + i;
                    threads.submit(() -> {
                        publisher.send(id, new TaskEvent.Started(publisher.source(), id, Map.of()));
                        // Awaited, as an outcome is before its task is acked.
                        publisher.sendAndWait(
                                id, new TaskEvent.Succeeded(publisher.source(), id, "null", 0.001, Map.of()));
                        return null;
                    });
                }
            }
            publisher.close();

            await().atMost(Duration.ofSeconds(20)).until(() -> events.size() == 2 * tasks);
            assertThat(messages.get()).isLessThan(2 * tasks);
            Map<String, List<String>> byTask = events.stream()
                    .map(e -> (TaskEvent) e)
                    .collect(Collectors.groupingBy(
                            TaskEvent::uuid, Collectors.mapping(e -> e.type().wireName(), Collectors.toList())));
            assertThat(byTask).hasSize(tasks);
            byTask.values().forEach(types -> assertThat(types).containsExactly("task-started", "task-succeeded"));
        }
    }
}
