package dev.celeriac.producer.amqp;

import dev.celeriac.producer.PublishConnectionException;
import dev.celeriac.producer.PublishNackedException;
import dev.celeriac.producer.PublishReturnedException;
import dev.celeriac.producer.PublishTimeoutException;
import dev.celeriac.producer.TaskPublishException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.ReturnedMessage;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Publishes persistent, mandatory messages and lets the caller wait for the broker's verdict: a publish counts only
 * when it is confirmed and was not returned. It uses the publisher connection, so that a publisher blocked by a
 * resource alarm never holds up the acks that consumers send on their own connection. Thread-safe.
 */
public final class ConfirmedPublisher {

    private final RabbitTemplate template;

    /**
     * Creates a publisher on a connection factory with correlated publisher confirms and returns enabled.
     *
     * @throws IllegalStateException if confirms or returns are off
     */
    public ConfirmedPublisher(ConnectionFactory connectionFactory) {
        if (!connectionFactory.isPublisherConfirms()) {
            throw new IllegalStateException(
                    "Celeriac publishes only with publisher confirms, but the connection factory"
                            + " has them off: set spring.rabbitmq.publisher-confirm-type=correlated");
        }
        if (!connectionFactory.isPublisherReturns()) {
            throw new IllegalStateException("Celeriac needs publisher returns to detect unroutable messages, but the"
                    + " connection factory has them off: set spring.rabbitmq.publisher-returns=true");
        }
        this.template = new RabbitTemplate(connectionFactory);
        this.template.setMandatory(true);
        this.template.setUsePublisherConnection(true);
    }

    /** A publish on its way: {@link #await} gives the broker's verdict. */
    public static final class Pending {
        private final String id;
        private final String destination;
        private final CorrelationData correlation;
        private final long startedNanos;

        private Pending(String id, String destination, CorrelationData correlation, long startedNanos) {
            this.id = id;
            this.destination = destination;
            this.correlation = correlation;
            this.startedNanos = startedNanos;
        }

        /** A publish that was deliberately not made (the message was not wanted): it awaits as confirmed. */
        public static Pending notSent(String id) {
            var correlation = new CorrelationData(id);
            correlation.getFuture().complete(new CorrelationData.Confirm(true, null));
            return new Pending(id, "", correlation, System.nanoTime());
        }

        /** Completes (normally) when the broker has answered: confirmed, refused, or the channel failed. */
        public java.util.concurrent.CompletableFuture<Void> settled() {
            return correlation.getFuture().handle((confirm, failure) -> null);
        }

        /** Nanoseconds from send to now. */
        public long elapsedNanos() {
            return System.nanoTime() - startedNanos;
        }

        /**
         * Waits until the given {@link System#nanoTime()} deadline for the confirm.
         *
         * @param timeout the time-out the deadline stands for, for the error message
         * @throws PublishReturnedException if the broker could not route the message
         * @throws PublishNackedException if the broker refused it
         * @throws PublishTimeoutException if no confirm came by the deadline
         * @throws PublishConnectionException if the channel failed
         */
        public void await(long deadlineNanos, Duration timeout) {
            try {
                long wait = Math.max(0, deadlineNanos - System.nanoTime());
                CorrelationData.Confirm confirm = correlation.getFuture().get(wait, TimeUnit.NANOSECONDS);
                ReturnedMessage returned = correlation.getReturned();
                if (returned != null) {
                    throw new PublishReturnedException(
                            id, destination, returned.getReplyCode(), returned.getReplyText());
                }
                if (!confirm.ack()) {
                    throw new PublishNackedException(id, destination, confirm.reason());
                }
            } catch (TimeoutException e) {
                throw new PublishTimeoutException(id, timeout);
            } catch (ExecutionException e) {
                throw new PublishConnectionException(id, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PublishConnectionException(id, e);
            }
        }

        /** Waits up to {@code timeout} from now for the confirm; see {@link #await(long, Duration)}. */
        public void await(Duration timeout) {
            await(System.nanoTime() + timeout.toNanos(), timeout);
        }
    }

    /**
     * Sends a message.
     *
     * @param id what the message is about (a task id), for errors
     * @param exchange the exchange
     * @param routingKey the routing key
     * @param destination what the routing key stands for (a queue name), for errors
     * @throws PublishConnectionException if it could not be sent at all
     */
    public Pending send(String id, String exchange, String routingKey, String destination, Message message) {
        var correlation = new CorrelationData(id);
        long started = System.nanoTime();
        try {
            template.send(exchange, routingKey, message, correlation);
        } catch (AmqpException e) {
            throw new PublishConnectionException(id, e);
        }
        return new Pending(id, destination, correlation, started);
    }

    /** Sends a message and waits for its confirm; see {@link Pending#await(Duration)}. */
    public void sendAndWait(
            String id, String exchange, String routingKey, String destination, Message message, Duration timeout)
            throws TaskPublishException {
        send(id, exchange, routingKey, destination, message).await(timeout);
    }
}
