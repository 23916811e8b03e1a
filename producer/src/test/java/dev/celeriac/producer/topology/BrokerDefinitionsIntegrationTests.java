package dev.celeriac.producer.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.celeriac.protocol.topology.DelayLadder;
import dev.celeriac.protocol.topology.QueueKind;
import dev.celeriac.protocol.topology.Topology;
import dev.celeriac.protocol.topology.WorkQueue;
import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.context.support.GenericApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The shipped definitions and the code agree on the broker's own terms: after importing broker-config/definitions.json,
 * the code declares the same topology on top of it without a single inequivalent argument, and a topology that
 * differs is refused.
 */
class BrokerDefinitionsIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    private static String shippedFor(String vhost) throws Exception {
        JsonNode definitions = BrokerDefinitions.shipped();
        for (String section : List.of("vhosts", "exchanges", "queues", "bindings")) {
            for (JsonNode item : definitions.get(section).values()) {
                ((ObjectNode) item).put(section.equals("vhosts") ? "name" : "vhost", vhost);
            }
        }
        return BrokerDefinitions.JSON.writeValueAsString(definitions);
    }

    /** Imports the shipped definitions and waits for the import, which the broker runs asynchronously, to finish. */
    private static void importShipped(Topology topology) throws Exception {
        rabbit.broker().importDefinitions(shippedFor(rabbit.endpoint().virtualHost()));
        try (Connection connection = rabbit.endpoint().connectionFactory().newConnection()) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> topology.queues().stream().allMatch(queue -> exists(connection, queue.name())));
        }
    }

    private static boolean exists(Connection connection, String queue) {
        try (Channel channel = connection.createChannel()) {
            channel.queueDeclarePassive(queue);
            return true;
        } catch (IOException | TimeoutException | AlreadyClosedException e) {
            return false;
        }
    }

    private static void declare(Topology topology) {
        var factory = new CachingConnectionFactory(rabbit.endpoint().connectionFactory());
        try {
            var admin = new RabbitAdmin(factory);
            admin.setIgnoreDeclarationExceptions(false);
            var context = new GenericApplicationContext();
            context.registerBean("topology", Declarables.class, () -> TopologyDeclarables.of(topology));
            context.refresh();
            admin.setApplicationContext(context);
            admin.afterPropertiesSet();
            admin.initialize();
            context.close();
        } finally {
            factory.destroy();
        }
    }

    @Test
    void declaresTheDefaultTopologyOverTheImportedDefinitionsWithoutConflict() throws Exception {
        Topology topology = Topology.of(List.of(WorkQueue.quorum("default")), DelayLadder.DEFAULT);
        importShipped(topology);

        declare(topology);

        try (Connection connection = rabbit.endpoint().connectionFactory().newConnection();
                Channel channel = connection.createChannel()) {
            for (var queue : topology.queues()) {
                // A passive declare proves the queue exists; an active one with the code's arguments that it is
                // equivalent (RabbitMQ closes the channel with PRECONDITION_FAILED otherwise).
                channel.queueDeclarePassive(queue.name());
                channel.queueDeclare(queue.name(), true, false, false, queue.arguments());
            }
        }
    }

    @Test
    void refusesACodeTopologyThatDiffersFromTheImportedDefinitions() throws Exception {
        importShipped(Topology.of(List.of(WorkQueue.quorum("default")), DelayLadder.DEFAULT));
        Topology different =
                Topology.of(List.of(new WorkQueue("default", QueueKind.QUORUM, 3, null, 0)), DelayLadder.DEFAULT);
        try (Connection connection = rabbit.endpoint().connectionFactory().newConnection()) {
            Channel channel = connection.createChannel();
            channel.queueDeclarePassive("default");
            assertThatThrownBy(() -> channel.queueDeclare(
                            "default",
                            true,
                            false,
                            false,
                            Map.copyOf(different.queue("default").arguments())))
                    .isInstanceOf(IOException.class)
                    .hasStackTraceContaining("PRECONDITION_FAILED")
                    .hasStackTraceContaining("x-delivery-limit");
        }
        assertThat(different.queue("default").arguments()).containsEntry("x-delivery-limit", 3);
    }
}
