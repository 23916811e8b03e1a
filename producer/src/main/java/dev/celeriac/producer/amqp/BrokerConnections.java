package dev.celeriac.producer.amqp;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * How Celeriac's own connections (the confirmed publisher, worker consumers, the API's recorder) reach RabbitMQ: the
 * application's connection settings (credentials, virtual host, TLS, heartbeat) and every node of the cluster. Each
 * connection opens to the nodes in a random order, so that a fleet spreads over the cluster, and a connection that
 * recovers tries every node again, so that the clients of a node that goes away move to the others.
 */
public final class BrokerConnections {

    private final ConnectionFactory settings;
    private final List<Address> nodes;

    /**
     * @param settings the connection settings; its own host and port are not used
     * @param nodes every node a connection may open to, at least one
     */
    public BrokerConnections(ConnectionFactory settings, List<Address> nodes) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("a broker needs at least one node address");
        }
        this.settings = settings;
        this.nodes = List.copyOf(nodes);
    }

    /** Opens a connection named {@code name} to one of the nodes; with recovery on, it reopens to any of them. */
    public Connection open(String name) throws IOException, TimeoutException {
        return settings.newConnection(nodes, name);
    }

    /** The same broker with automatic recovery off, for a client that replaces a failed connection itself. */
    public BrokerConnections withoutRecovery() {
        ConnectionFactory own = settings.clone();
        own.setAutomaticRecoveryEnabled(false);
        own.setTopologyRecoveryEnabled(false);
        return new BrokerConnections(own, nodes);
    }

    /** The nodes, in the order they were given. */
    public List<Address> nodes() {
        return nodes;
    }

    /** The connection settings (user, virtual host, TLS, heartbeat) shared by every node. */
    public ConnectionFactory settings() {
        return settings;
    }

    /** The nodes as {@code host:port} separated by commas, as {@code spring.rabbitmq.addresses} takes them. */
    @Override
    public String toString() {
        return nodes.stream().map(a -> a.getHost() + ":" + a.getPort()).collect(Collectors.joining(","));
    }
}
