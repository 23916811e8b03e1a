package dev.celeriac.producer.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Address;
import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import dev.celeriac.testsupport.broker.RabbitEndpoint;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Connections over a list of nodes, some of them down, against the real broker. */
class BrokerConnectionsIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    @Test
    void everyConnectionReachesTheLiveNodeWhateverOrderTheDeadOnesComeIn() throws Exception {
        RabbitEndpoint endpoint = rabbit.endpoint();
        var broker = new BrokerConnections(
                endpoint.connectionFactory(),
                List.of(
                        new Address("127.0.0.1", closedPort()),
                        new Address(endpoint.host(), endpoint.port()),
                        new Address("127.0.0.1", closedPort())));
        for (int i = 0; i < 10; i++) {
            try (var connection = broker.open("nodes-test-" + i)) {
                assertThat(connection.isOpen()).isTrue();
                assertThat(connection.getPort()).isEqualTo(endpoint.port());
            }
        }
    }

    @Test
    void withoutRecoveryKeepsTheNodesAndTheSettingsButNotTheRecovery() {
        var settings = rabbit.endpoint().connectionFactory();
        settings.setAutomaticRecoveryEnabled(true);
        var broker = new BrokerConnections(settings, List.of(new Address("rabbit-a", 5672), new Address("rabbit-b")));
        BrokerConnections plain = broker.withoutRecovery();
        assertThat(plain.nodes()).isEqualTo(broker.nodes());
        assertThat(plain.settings().isAutomaticRecoveryEnabled()).isFalse();
        assertThat(plain.settings().getVirtualHost())
                .isEqualTo(rabbit.endpoint().virtualHost());
        assertThat(broker.settings().isAutomaticRecoveryEnabled()).isTrue();
    }

    /** A port nothing listens on: bound for a moment, then closed. */
    private static int closedPort() throws Exception {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
