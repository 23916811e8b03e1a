package dev.celeriac.api.deadletters;

import com.rabbitmq.client.Connection;
import dev.celeriac.api.internal.ledger.TaskProjection;
import dev.celeriac.api.internal.ledger.TaskStore;
import dev.celeriac.producer.amqp.AmqpTaskMessages;
import dev.celeriac.producer.amqp.BrokerConnections;
import dev.celeriac.producer.amqp.Subscription;
import dev.celeriac.protocol.event.EventSource;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.message.CeleryTimes;
import dev.celeriac.protocol.message.TaskProperties;
import dev.celeriac.protocol.names.EventFields;
import dev.celeriac.protocol.names.MessageHeaders;
import dev.celeriac.protocol.names.TopologyNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.support.MessagePropertiesConverter;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Moves dead letters from each work queue's dead-letter queue into the ledger database, acking each only after it is
 * stored, so that they can be listed and replayed. A dead letter that RabbitMQ made itself (the delivery limit of a
 * message that kept crashing its worker) has no worker event: the task is recorded failed here.
 */
public final class DeadLetterCollector implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterCollector.class);

    private final BrokerConnections broker;
    private final List<String> workQueues;
    private final DeadLetterStore store;
    private final TaskStore tasks;
    private final TaskProjection projection;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final MessagePropertiesConverter converter = AmqpTaskMessages.propertiesConverter();
    private volatile boolean running;
    private Connection connection;

    public DeadLetterCollector(
            BrokerConnections broker,
            List<String> workQueues,
            DeadLetterStore store,
            TaskStore tasks,
            TaskProjection projection,
            TransactionTemplate transactions,
            Clock clock) {
        this.broker = broker;
        this.workQueues = List.copyOf(workQueues);
        this.store = store;
        this.tasks = tasks;
        this.projection = projection;
        this.transactions = transactions;
        this.clock = clock;
    }

    @Override
    public synchronized void start() {
        try {
            connection = broker.open("celeriac-api-dead-letters");
            for (String queue : workQueues) {
                Subscription.to(connection, TopologyNames.deadLetterQueue(queue))
                        .name("celeriac-dead-letters")
                        .prefetch(50)
                        .start((channel, envelope, properties, body) -> {
                            try {
                                keep(
                                        queue,
                                        converter.toMessageProperties(
                                                properties, envelope, StandardCharsets.UTF_8.name()),
                                        body);
                                channel.basicAck(envelope.getDeliveryTag(), false);
                            } catch (RuntimeException e) {
                                log.warn(
                                        "could not keep a dead letter of '{}'; it stays in the queue: {}",
                                        queue,
                                        e.toString());
                                channel.basicNack(envelope.getDeliveryTag(), false, true);
                            }
                        });
            }
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("the dead-letter collector could not connect to RabbitMQ", e);
        }
        running = true;
    }

    private void keep(String queue, MessageProperties properties, byte[] body) {
        Map<String, Object> headers = plain(properties.getHeaders());
        String taskId = properties.getCorrelationId() != null
                ? properties.getCorrelationId()
                : text(headers.get(MessageHeaders.ID));
        String reason = text(headers.get(MessageHeaders.FAILURE_REASON));
        boolean byBroker = reason == null;
        if (byBroker) {
            reason = text(headers.get(MessageHeaders.FIRST_DEATH_REASON));
        }
        Instant failedAt = headers.get(MessageHeaders.FAILURE_TIME) instanceof String time
                ? CeleryTimes.parse(time)
                : clock.instant();
        String message = byBroker
                ? "RabbitMQ dead-lettered the message (" + reason + ")"
                : text(headers.get(MessageHeaders.FAILURE_MESSAGE));
        var letter = new DeadLetter(
                0,
                taskId,
                text(headers.get(MessageHeaders.TASK)),
                queue,
                reason,
                text(headers.get(MessageHeaders.FAILURE_EXCEPTION)),
                message,
                text(headers.get(MessageHeaders.FAILURE_TRACEBACK)),
                headers.get(MessageHeaders.FAILURE_ATTEMPTS) instanceof Number n ? n.intValue() : null,
                text(headers.get(MessageHeaders.FAILURE_WORKER)),
                failedAt,
                headers.get(MessageHeaders.REPLAY) instanceof Number n ? n.intValue() : 0);
        var taskProperties = new TaskProperties(
                properties.getContentType(),
                properties.getContentEncoding(),
                taskId,
                properties.getReplyTo(),
                properties.getPriority(),
                true,
                null);
        boolean kept;
        try {
            kept = Boolean.TRUE.equals(
                    transactions.execute(status -> store(letter, byBroker, taskProperties, headers, body)));
        } catch (DuplicateKeyException e) {
            kept = false; // another collector stored the same letter at the same moment, with its ledger update
        }
        if (!kept) {
            log.info("a dead letter of task {} from '{}' is already kept: dropped this copy", taskId, queue);
        }
    }

    /** Stores the letter and, if RabbitMQ made it, records the failure: {@code false} if the letter was a copy. */
    private boolean store(
            DeadLetter letter,
            boolean byBroker,
            TaskProperties taskProperties,
            Map<String, Object> headers,
            byte[] body) {
        if (!store.add(letter, taskProperties, headers, body)) {
            return false;
        }
        if (byBroker && letter.taskId() != null) {
            // Of the run the letter came from: a replayed task's letter carries its replay.
            tasks.write(List.of(projection.change(new TaskEvent.Failed(
                    EventSource.now("rabbitmq", 0),
                    letter.taskId(),
                    "DeadLettered('" + letter.reason() + "')",
                    null,
                    Map.of(
                            EventFields.REASON,
                            String.valueOf(letter.reason()),
                            EventFields.REPLAY,
                            letter.replay())))));
        }
        return true;
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    /** Header values as JSON can hold them: dates as ISO-8601 text, nested tables and lists alike. */
    private static Map<String, Object> plain(Map<String, Object> headers) {
        var plain = new LinkedHashMap<String, Object>();
        headers.forEach((name, value) -> plain.put(name, plainValue(value)));
        return plain;
    }

    private static Object plainValue(Object value) {
        return switch (value) {
            case null -> null;
            case Date date -> CeleryTimes.format(date.toInstant());
            case Map<?, ?> map -> {
                var copy = new LinkedHashMap<String, Object>();
                map.forEach((k, v) -> copy.put(String.valueOf(k), plainValue(v)));
                yield copy;
            }
            case List<?> list -> {
                var copy = new ArrayList<Object>();
                list.forEach(v -> copy.add(plainValue(v)));
                yield copy;
            }
            case String s -> s;
            case Number n -> n;
            case Boolean b -> b;
            case byte[] bytes -> new String(bytes, StandardCharsets.UTF_8);
            default -> value.toString();
        };
    }

    @Override
    public synchronized void stop() {
        running = false;
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (IOException | RuntimeException e) {
            log.debug("closing the dead-letter connection: {}", e.toString());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
