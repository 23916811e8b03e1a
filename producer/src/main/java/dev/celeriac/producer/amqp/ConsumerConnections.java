package dev.celeriac.producer.amqp;

import com.rabbitmq.client.Address;
import java.util.List;
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

    /**
     * The broker of the application's connection factory (its credentials, virtual host, TLS and heartbeat) at the
     * given nodes, with automatic recovery on.
     */
    public static BrokerConnections brokerFor(ConnectionFactory connectionFactory, List<Address> nodes) {
        return new BrokerConnections(factoryFor(connectionFactory), nodes);
    }

    /**
     * The broker of the application's connection factory at the one node the factory itself names: for a factory
     * made without Spring Boot's connection details (with them, {@link #brokerFor(ConnectionFactory, List)} takes
     * every node of {@code spring.rabbitmq.addresses}).
     */
    public static BrokerConnections brokerFor(ConnectionFactory connectionFactory) {
        return brokerFor(
                connectionFactory, List.of(new Address(connectionFactory.getHost(), connectionFactory.getPort())));
    }

    private static com.rabbitmq.client.ConnectionFactory factoryFor(ConnectionFactory connectionFactory) {
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
