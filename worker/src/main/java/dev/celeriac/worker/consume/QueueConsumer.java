package dev.celeriac.worker.consume;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.celeriac.producer.amqp.AmqpTaskMessages;
import dev.celeriac.worker.pool.TaskPool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.support.MessagePropertiesConverter;

/**
 * Consumes one work queue into its pool. Prefetch is the pool's slots plus a small lookahead, so the worker never
 * holds more unstarted messages than it can start: a long task never keeps short ones waiting in this worker while
 * another worker is free. Acks are manual and come last (see {@link TaskRunner}).
 */
public final class QueueConsumer {

    private static final Logger log = LoggerFactory.getLogger(QueueConsumer.class);

    private final String queue;
    private final TaskPool pool;
    private final int prefetch;
    private final TaskRunner runner;
    private final MessagePropertiesConverter converter = AmqpTaskMessages.propertiesConverter();
    private volatile boolean stopping;
    private Channel channel;
    private String consumerTag;

    public QueueConsumer(String queue, TaskPool pool, int lookahead, TaskRunner runner) {
        this.queue = queue;
        this.pool = pool;
        this.prefetch = pool.size() + lookahead;
        this.runner = runner;
    }

    /** Starts consuming on a channel of its own on the given (recovering) connection. */
    public void start(Connection connection) throws IOException {
        channel = connection.createChannel();
        channel.basicQos(prefetch);
        consumerTag = channel.basicConsume(
                queue, false, "celeriac-" + queue + "-" + pool.name(), new DefaultConsumer(channel) {
                    @Override
                    public void handleDelivery(
                            String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                        var delivery = new Delivery(getChannel(), envelope.getDeliveryTag());
                        if (stopping) {
                            delivery.requeue();
                            return;
                        }
                        Message message = new Message(
                                body,
                                converter.toMessageProperties(properties, envelope, StandardCharsets.UTF_8.name()));
                        try {
                            runner.handle(queue, pool, message, delivery, () -> stopping);
                        } catch (RuntimeException e) {
                            log.error(
                                    "delivery {} of queue '{}' failed unexpectedly; it goes back to the queue",
                                    envelope.getDeliveryTag(),
                                    queue,
                                    e);
                            delivery.requeue();
                        }
                    }
                });
        log.info(
                "consuming queue '{}' with a {} pool of {} slots (prefetch {})",
                queue,
                pool.kind().label(),
                pool.size(),
                prefetch);
    }

    /** Stops taking new messages; deliveries that still arrive go straight back to the queue. */
    public void stopConsuming() {
        stopping = true;
        try {
            if (channel != null && channel.isOpen() && consumerTag != null) {
                channel.basicCancel(consumerTag);
            }
        } catch (IOException | RuntimeException e) {
            log.warn("could not cancel the consumer of queue '{}': {}", queue, e.toString());
        }
    }

    /** Closes the channel: any delivery still unsettled goes back to the queue. */
    public void close() {
        try {
            if (channel != null && channel.isOpen()) {
                channel.close();
            }
        } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
            log.debug("closing the channel of queue '{}': {}", queue, e.toString());
        }
        pool.close();
    }

    public String queue() {
        return queue;
    }

    /** Messages held at most: the pool's slots plus the lookahead. */
    public int prefetch() {
        return prefetch;
    }

    public TaskPool pool() {
        return pool;
    }
}
