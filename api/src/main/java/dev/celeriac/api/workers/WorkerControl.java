package dev.celeriac.api.workers;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.celeriac.producer.amqp.BrokerConnections;
import dev.celeriac.producer.amqp.Subscription;
import dev.celeriac.protocol.control.ControlCommand;
import dev.celeriac.protocol.names.MessageHeaders;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.protocol.names.WireFormat;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sends Celery's remote control commands to the workers, as {@code celery control} does, and gathers their replies:
 * the command on the {@code celery.pidbox} fanout exchange with a ticket, each worker's reply on
 * {@code reply.celery.pidbox} to this API's own reply queue. Java and Python workers answer alike.
 */
public final class WorkerControl implements AutoCloseable {

    /** How long a reply queue outlives its API, as Celery's clients declare theirs. */
    private static final int REPLY_QUEUE_EXPIRES_MS = 10_000;

    private final BrokerConnections broker;
    private final JsonMapper mapper;
    private final String id = UUID.randomUUID().toString();
    private final Map<String, BlockingQueue<JsonNode>> waiting = new ConcurrentHashMap<>();
    private Connection connection;
    private Channel channel;

    /** @param broker the broker, without automatic recovery: a lost connection is opened again on the next call */
    public WorkerControl(BrokerConnections broker, JsonMapper mapper) {
        this.broker = broker.withoutRecovery();
        this.mapper = mapper;
    }

    /**
     * Sends a command and waits for the replies.
     *
     * @param destination the workers it is for, or {@code null} for every one
     * @param timeout how long to wait for replies; with a destination, no longer than until each has answered
     * @return the replies by worker name
     * @throws IOException if the broker could not be reached
     */
    public Map<String, JsonNode> call(String method, ObjectNode arguments, List<String> destination, Duration timeout)
            throws IOException, InterruptedException {
        String ticket = UUID.randomUUID().toString();
        var replies = new LinkedBlockingQueue<JsonNode>();
        waiting.put(ticket, replies);
        try {
            var command = new ControlCommand(
                    method,
                    arguments,
                    destination,
                    null,
                    null,
                    ticket,
                    new ControlCommand.ReplyTo(TopologyNames.CONTROL_REPLY_EXCHANGE, id));
            send(command.encode(mapper));
            var answers = new TreeMap<String, JsonNode>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (destination == null || answers.size() < destination.size()) {
                long left = deadline - System.nanoTime();
                JsonNode reply = left > 0 ? replies.poll(left, TimeUnit.NANOSECONDS) : null;
                if (reply == null) {
                    break;
                }
                reply.properties().forEach(node -> answers.put(node.getKey(), node.getValue()));
            }
            return answers;
        } finally {
            waiting.remove(ticket);
        }
    }

    private synchronized void send(byte[] body) throws IOException {
        if (channel == null || !channel.isOpen()) {
            open();
        }
        var properties = new AMQP.BasicProperties.Builder()
                .contentType(WireFormat.CONTENT_TYPE_JSON)
                .contentEncoding(WireFormat.CONTENT_ENCODING_UTF8)
                .build();
        channel.basicPublish(TopologyNames.CONTROL_EXCHANGE, "", properties, body);
    }

    /** Declares the exchanges as Celery does and this API's reply queue, and listens on it. */
    private void open() throws IOException {
        close();
        try {
            connection = broker.open("celeriac-api-control");
        } catch (TimeoutException e) {
            throw new IOException("RabbitMQ did not answer in time", e);
        }
        channel = connection.createChannel();
        channel.exchangeDeclare(TopologyNames.CONTROL_EXCHANGE, BuiltinExchangeType.FANOUT, false, false, null);
        channel.exchangeDeclare(TopologyNames.CONTROL_REPLY_EXCHANGE, BuiltinExchangeType.DIRECT, false, false, null);
        String queue = id + ".reply.celery.pidbox";
        channel.queueDeclare(queue, false, true, true, Map.of("x-expires", REPLY_QUEUE_EXPIRES_MS));
        channel.queueBind(queue, TopologyNames.CONTROL_REPLY_EXCHANGE, id);
        Subscription.to(connection, queue)
                .name("celeriac-api-control")
                .autoAck(true)
                .start((replyChannel, envelope, properties, body) -> {
                    Object ticket = properties.getHeaders() == null
                            ? null
                            : properties.getHeaders().get(MessageHeaders.CONTROL_TICKET);
                    BlockingQueue<JsonNode> replies = ticket == null ? null : waiting.get(ticket.toString());
                    if (replies != null) {
                        replies.add(mapper.readTree(body));
                    }
                });
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            connection.abort();
            connection = null;
            channel = null;
        }
    }
}
