package dev.celeriac.worker.internal.control;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.celeriac.producer.amqp.Subscription;
import dev.celeriac.protocol.control.ControlCommand;
import dev.celeriac.protocol.message.MalformedMessageException;
import dev.celeriac.protocol.names.MessageHeaders;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.protocol.names.WireFormat;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers Celery's broadcast remote control (kombu's pidbox), as a Celery worker does: its own queue
 * {@code <hostname>.celery.pidbox} on the {@code celery.pidbox} fanout exchange, a command addressed to this node
 * handled by {@link ControlCommands}, and the reply {@code {"<hostname>": …}} published to the command's
 * {@code reply_to} with its ticket. The exchanges and the queue are declared exactly as Celery declares them
 * (transient, the queue auto-deleted, with a 300 s message TTL and 10 s expiry), so Celery clients and Python workers
 * on the same broker declare them without conflict.
 */
public final class RemoteControl {

    private static final Logger log = LoggerFactory.getLogger(RemoteControl.class);
    /** Celery's {@code control_queue_ttl} and {@code control_queue_expires}. */
    private static final int QUEUE_MESSAGE_TTL_MS = 300_000;

    private static final int QUEUE_EXPIRES_MS = 10_000;
    private static final int TRANSIENT = 1;

    private final String hostname;
    private final ControlCommands commands;
    private final JsonMapper mapper;
    private final Clock clock;
    private Channel channel;
    private Subscription subscription;

    public RemoteControl(ControlCommands commands, JsonMapper mapper, Clock clock) {
        this.hostname = commands.hostname();
        this.commands = commands;
        this.mapper = mapper;
        this.clock = clock;
    }

    /** Declares the control exchanges and this node's queue on the given (recovering) connection and listens. */
    public void start(Connection connection) throws IOException {
        channel = connection.createChannel();
        channel.exchangeDeclare(TopologyNames.CONTROL_EXCHANGE, BuiltinExchangeType.FANOUT, false, false, null);
        channel.exchangeDeclare(TopologyNames.CONTROL_REPLY_EXCHANGE, BuiltinExchangeType.DIRECT, false, false, null);
        String queue = TopologyNames.controlQueue(hostname);
        channel.queueDeclare(
                queue,
                false,
                false,
                true,
                Map.of("x-message-ttl", QUEUE_MESSAGE_TTL_MS, "x-expires", QUEUE_EXPIRES_MS));
        channel.queueBind(queue, TopologyNames.CONTROL_EXCHANGE, "");
        // Commands come in on a subscription of their own; replies go out on this channel.
        subscription = Subscription.to(connection, queue)
                .name("celeriac-control")
                .autoAck(true)
                .start((commands, envelope, properties, body) -> handle(properties, body));
        log.info("answering Celery remote control on {}", queue);
    }

    private void handle(AMQP.BasicProperties properties, byte[] body) {
        Map<String, Object> headers = properties.getHeaders() == null ? Map.of() : properties.getHeaders();
        if (headers.get(MessageHeaders.CONTROL_CLOCK) instanceof Number seen) {
            commands.clockSeen(seen.longValue());
        }
        if (headers.get(MessageHeaders.CONTROL_EXPIRES) instanceof Number expires
                && expires.doubleValue() > 0
                && clock.millis() / 1000.0 > expires.doubleValue()) {
            log.debug("ignored a remote control command that expired before it arrived");
            return;
        }
        ControlCommand command;
        try {
            command = ControlCommand.decode(mapper, body);
        } catch (MalformedMessageException e) {
            log.warn(
                    "ignored a message on {} that is no control command: {}",
                    TopologyNames.CONTROL_EXCHANGE,
                    e.getMessage());
            return;
        }
        if (!command.isFor(hostname)) {
            return;
        }
        Object reply;
        try {
            reply = commands.handle(command);
        } catch (RuntimeException e) {
            log.warn("remote control command {} failed", command.method(), e);
            reply = Map.of("error", e.toString());
        }
        log.debug("remote control: {} from {}", command.method(), command.replyTo());
        if (!command.wantsReply()) {
            return;
        }
        if (!TopologyNames.CONTROL_REPLY_EXCHANGE.equals(command.replyTo().exchange())) {
            log.warn(
                    "not replying to {} on exchange '{}': replies go to {}",
                    command.method(),
                    command.replyTo().exchange(),
                    TopologyNames.CONTROL_REPLY_EXCHANGE);
            return;
        }
        reply(command, reply);
    }

    private void reply(ControlCommand command, Object reply) {
        var properties = new AMQP.BasicProperties.Builder()
                .contentType(WireFormat.CONTENT_TYPE_JSON)
                .contentEncoding(WireFormat.CONTENT_ENCODING_UTF8)
                .deliveryMode(TRANSIENT)
                .headers(Map.of(
                        MessageHeaders.CONTROL_TICKET, command.ticket(),
                        MessageHeaders.CONTROL_CLOCK, commands.clock()))
                .build();
        try {
            // The reply exchange is declared at start (and again by connection recovery); a reply to a client
            // that is gone is dropped by the broker, as nothing routes it.
            channel.basicPublish(
                    command.replyTo().exchange(),
                    command.replyTo().routingKey(),
                    properties,
                    ControlCommand.encodeReply(mapper, hostname, reply));
        } catch (IOException | RuntimeException e) {
            log.warn("could not reply to remote control command {}: {}", command.method(), e.toString());
        }
    }

    /** Stops listening; the queue goes with its last consumer. */
    public void close() {
        if (subscription != null) {
            subscription.close();
        }
        closeQuietly(channel, "remote control");
    }

    /** Closes the reply channel; a failure to close is no error at shutdown. */
    private static void closeQuietly(Channel channel, String what) {
        try {
            if (channel != null && channel.isOpen()) {
                channel.close();
            }
        } catch (IOException | TimeoutException | RuntimeException e) {
            log.debug("closing the {} channel: {}", what, e.toString());
        }
    }
}
