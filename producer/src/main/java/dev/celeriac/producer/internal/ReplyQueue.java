package dev.celeriac.producer.internal;

import com.rabbitmq.client.Connection;
import dev.celeriac.producer.WorkflowResults;
import dev.celeriac.producer.amqp.BrokerConnections;
import dev.celeriac.producer.amqp.Subscription;
import dev.celeriac.protocol.message.MalformedMessageException;
import dev.celeriac.protocol.result.ExceptionInfo;
import dev.celeriac.protocol.result.ResultMessage;
import dev.celeriac.protocol.state.TaskState;
import java.io.IOException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * This client's queue for result replies, as Celery's {@code rpc://} backend has one per client: workers (Java and
 * Python alike) send a task's final state there when its message names it as {@code reply_to}. Opened on first use;
 * it outlives a lost connection (it is not exclusive) and expires an hour after the client stops using it.
 */
final class ReplyQueue implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplyQueue.class);

    /** How long the broker keeps the queue once nobody consumes it. */
    private static final int EXPIRES_MILLIS = 3_600_000;

    private final BrokerConnections broker;
    private final JsonMapper mapper;
    private final String name = "celeriac.replies." + UUID.randomUUID();
    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private Connection connection;
    private Subscription subscription;

    private record Waiting(int index, CompletableFuture<WorkflowResults.Result> result) {}

    ReplyQueue(BrokerConnections broker, JsonMapper mapper) {
        this.broker = broker;
        this.mapper = mapper;
    }

    /** The queue's name, opening it first if needed. */
    synchronized String open() {
        if (subscription == null) {
            try {
                connection = broker.open("celeriac-replies");
                try (var channel = connection.createChannel()) {
                    channel.queueDeclare(name, false, false, false, Map.of("x-expires", EXPIRES_MILLIS));
                }
                subscription = Subscription.to(connection, name)
                        .name("celeriac-replies")
                        .autoAck(true)
                        .start((channel, envelope, properties, body) -> delivered(body));
            } catch (IOException | TimeoutException e) {
                throw new IllegalStateException("could not open the queue for results: " + e, e);
            }
        }
        return name;
    }

    /** The result of task {@code id}, the {@code index}-th result task of its workflow, when its reply arrives. */
    CompletableFuture<WorkflowResults.Result> expect(String id, int index) {
        var result = new CompletableFuture<WorkflowResults.Result>();
        waiting.put(id, new Waiting(index, result));
        return result;
    }

    /** Stops waiting for these (they were never sent). */
    void forget(Iterable<String> ids) {
        ids.forEach(waiting::remove);
    }

    private void delivered(byte[] body) {
        ResultMessage reply;
        try {
            reply = ResultMessage.decode(mapper, body);
        } catch (MalformedMessageException e) {
            log.warn("ignored a reply that is not a Celery result: {}", e.getMessage());
            return;
        }
        if (!reply.status().isTerminal()) {
            return; // RETRY: the task runs again, and its final state follows
        }
        Waiting w = waiting.remove(reply.taskId());
        if (w == null) {
            return;
        }
        String error = null;
        if (reply.status() != TaskState.SUCCESS) {
            ExceptionInfo exception = reply.exception(mapper);
            error = exception == null ? reply.status().name() : exception.type() + ": " + exception.message();
        }
        w.result()
                .complete(new WorkflowResults.Result(
                        reply.taskId(),
                        w.index(),
                        reply.status(),
                        reply.status() == TaskState.SUCCESS ? reply.result() : null,
                        error));
    }

    @Override
    public synchronized void close() {
        if (subscription != null) {
            subscription.close();
        }
        try {
            if (connection != null && connection.isOpen()) {
                connection.close();
            }
        } catch (IOException | RuntimeException e) {
            log.debug("closing the reply connection: {}", e.toString());
        }
    }
}
