package dev.celeriac.producer.amqp;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;

/**
 * Connections of a component's own consumers (worker queues, the API's recorder): apart from the publisher
 * connection, so that a publisher blocked by a resource alarm never holds up their acks, and recovering by
 * themselves after a broker restart. Their queues must exist before they consume, and the topology is declared only
 * when Spring's own connection opens: {@link #declareTopology} declares it at once.
 */
public final class ConsumerConnections {

    private ConsumerConnections() {}

    /** A RabbitMQ client factory with the application's connection settings and automatic recovery on. */
    public static com.rabbitmq.client.ConnectionFactory factoryFor(ConnectionFactory connectionFactory) {
        if (!(connectionFactory instanceof AbstractConnectionFactory spring)) {
            throw new IllegalStateException("Celeriac's consumers need Spring AMQP's caching connection factory");
        }
        com.rabbitmq.client.ConnectionFactory own =
                spring.getRabbitConnectionFactory().clone();
        own.setAutomaticRecoveryEnabled(true);
        own.setTopologyRecoveryEnabled(true);
        return own;
    }

    /** Declares every declarable of the application now (a no-op for an admin that is not a {@link RabbitAdmin}). */
    public static void declareTopology(AmqpAdmin admin) {
        if (admin instanceof RabbitAdmin rabbitAdmin) {
            rabbitAdmin.initialize();
        }
    }
}
