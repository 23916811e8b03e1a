package dev.celeriac.testsupport.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class IsolatedVirtualHostIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    @Test
    void givesTheTestClassAWorkingVirtualHostOfItsOwn(RabbitEndpoint endpoint) throws Exception {
        assertThat(endpoint.virtualHost()).startsWith("celeriac-test-isolatedvirtualhostintegrationtests-");
        try (var connection = endpoint.connectionFactory().newConnection();
                var channel = connection.createChannel()) {
            channel.queueDeclare("roundtrip", false, false, true, null);
            channel.basicPublish("", "roundtrip", new AMQP.BasicProperties(), "hello".getBytes(StandardCharsets.UTF_8));
            GetResponse response = null;
            for (int i = 0; i < 50 && response == null; i++) {
                response = channel.basicGet("roundtrip", true);
                if (response == null) {
                    Thread.onSpinWait();
                }
            }
            assertThat(response).isNotNull();
            assertThat(new String(response.getBody(), StandardCharsets.UTF_8)).isEqualTo("hello");
        }
    }

    @Test
    void keepsQueuesOfOneVirtualHostOutOfAnother() throws Exception {
        RabbitBroker broker = rabbit.broker();
        String otherName = "celeriac-test-other-" + UUID.randomUUID().toString().substring(0, 8);
        RabbitEndpoint other = broker.createVirtualHost(otherName);
        try {
            try (var connection = rabbit.endpoint().connectionFactory().newConnection();
                    var channel = connection.createChannel()) {
                channel.queueDeclare("only-here", true, false, false, null);
            }
            try (var connection = other.connectionFactory().newConnection()) {
                // The broker closes the channel on NOT_FOUND, so it is not closed again here.
                var channel = connection.createChannel();
                assertThatThrownBy(() -> channel.queueDeclarePassive("only-here"))
                        .isInstanceOf(IOException.class)
                        .hasStackTraceContaining("NOT_FOUND");
            }
        } finally {
            broker.deleteVirtualHost(otherName);
        }
        assertThat(broker.rabbitmqctl("list_vhosts"))
                .doesNotContain(otherName)
                .contains(rabbit.endpoint().virtualHost());
    }

    @Test
    void encodesTheVirtualHostInTheUri() {
        var endpoint = new RabbitEndpoint("127.0.0.1", 5672, "guest", "p@ss word", "/");
        assertThat(endpoint.uri()).isEqualTo("amqp://guest:p%40ss%20word@127.0.0.1:5672/%2F");
        assertThat(endpoint.toString()).doesNotContain("p@ss");
    }
}
