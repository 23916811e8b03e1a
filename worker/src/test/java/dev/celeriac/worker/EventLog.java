package dev.celeriac.worker;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DeliverCallback;
import dev.celeriac.producer.TaskHandle;
import dev.celeriac.protocol.event.CeleryEvent;
import dev.celeriac.protocol.event.EventCodec;
import dev.celeriac.protocol.event.EventType;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.testsupport.broker.RabbitEndpoint;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import tools.jackson.databind.json.JsonMapper;

/** Reads the durable event queue, as the ledger will, and keeps every event with the time it arrived. */
final class EventLog implements AutoCloseable {

    record Seen(CeleryEvent event, Instant at) {}

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Connection connection;
    private final EventCodec codec = new EventCodec(JsonMapper.builder().build());

    EventLog(RabbitEndpoint endpoint) throws Exception {
        connection = endpoint.connectionFactory().newConnection();
        var channel = connection.createChannel();
        DeliverCallback onEvent = (tag, delivery) -> {
            Instant now = Instant.now();
            codec.decode(delivery.getBody()).forEach(e -> seen.add(new Seen(e, now)));
        };
        channel.basicConsume("celeriac.events", true, onEvent, tag -> {});
    }

    List<Seen> of(String taskId) {
        return seen.stream()
                .filter(s -> s.event() instanceof TaskEvent t && t.uuid().equals(taskId))
                .toList();
    }

    List<Seen> of(String taskId, EventType type) {
        return of(taskId).stream().filter(s -> s.event().type() == type).toList();
    }

    List<Seen> all(EventType type) {
        return seen.stream().filter(s -> s.event().type() == type).toList();
    }

    /** How many of the given tasks succeeded, each counted once. */
    long succeeded(List<TaskHandle> tasks) {
        Set<String> ids = ids(tasks);
        return all(EventType.TASK_SUCCEEDED).stream()
                .map(s -> ((TaskEvent) s.event()).uuid())
                .filter(ids::contains)
                .distinct()
                .count();
    }

    /** When the given tasks started, by their workers' clocks, in seconds, earliest first. */
    List<Double> startTimes(List<TaskHandle> tasks) {
        Set<String> ids = ids(tasks);
        return all(EventType.TASK_STARTED).stream()
                .filter(s -> ids.contains(((TaskEvent) s.event()).uuid()))
                .map(s -> s.event().source().timestamp())
                .sorted()
                .toList();
    }

    private static Set<String> ids(List<TaskHandle> tasks) {
        return tasks.stream().map(TaskHandle::id).collect(Collectors.toSet());
    }

    Seen await(String taskId, EventType type, Duration timeout) {
        Awaitility.await().atMost(timeout).until(() -> !of(taskId, type).isEmpty());
        return of(taskId, type).getFirst();
    }

    @SuppressWarnings("unchecked")
    <T extends CeleryEvent> T awaitEvent(String taskId, EventType type, Duration timeout) {
        return (T) await(taskId, type, timeout).event();
    }

    @Override
    public void close() throws Exception {
        connection.close();
    }
}
