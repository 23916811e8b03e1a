package dev.celeriac.bench.scenario;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.celeriac.bench.stack.Stack;
import dev.celeriac.protocol.event.EventCodec;
import dev.celeriac.protocol.event.EventType;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.names.TopologyNames;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Watches the workers' task-started and task-succeeded events on a queue of its own, keeping the worker's own time of
 * each: how the harness times runs without polling the worker (which would take CPU from the tasks it times).
 */
final class EventWatch implements AutoCloseable {

    private final Map<String, Instant> started = new ConcurrentHashMap<>();
    private final Map<String, Instant> succeeded = new ConcurrentHashMap<>();
    private final Connection connection;

    EventWatch(Stack stack) throws IOException, TimeoutException {
        var codec = new EventCodec(JsonMapper.builder().build());
        connection = stack.connect("bench-event-watch");
        Channel channel = connection.createChannel();
        String queue = channel.queueDeclare().getQueue();
        channel.queueBind(queue, TopologyNames.EVENT_EXCHANGE, EventType.TASK_STARTED.routingKey());
        channel.queueBind(queue, TopologyNames.EVENT_EXCHANGE, EventType.TASK_SUCCEEDED.routingKey());
        // Workers batch task events under load, as Celery workers do.
        channel.queueBind(queue, TopologyNames.EVENT_EXCHANGE, EventType.TASK_BATCH_ROUTING_KEY);
        channel.basicConsume(queue, true, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties p, byte[] body) {
                for (var event : codec.decode(body)) {
                    if (event instanceof TaskEvent.Started s) {
                        started.put(s.uuid(), s.source().instant());
                    } else if (event instanceof TaskEvent.Succeeded s) {
                        succeeded.put(s.uuid(), s.source().instant());
                    }
                }
            }
        });
    }

    Map<String, Instant> started() {
        return started;
    }

    Map<String, Instant> succeeded() {
        return succeeded;
    }

    /** The latest success time seen. */
    Instant lastSuccess() {
        return succeeded.values().stream().max(Instant::compareTo).orElseThrow();
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }
}
