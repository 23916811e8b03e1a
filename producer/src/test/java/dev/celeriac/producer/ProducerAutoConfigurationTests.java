package dev.celeriac.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.celeriac.producer.amqp.BrokerConnections;
import dev.celeriac.protocol.topology.QueueKind;
import dev.celeriac.protocol.topology.Topology;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** The starter's wiring; the context starts without connecting, so no broker is needed. */
class ProducerAutoConfigurationTests {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {}

    private static ConfigurableApplicationContext run(String... properties) {
        // As command-line arguments: they outrank the starter's defaults, as application.properties would.
        return new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .run(Arrays.stream(properties).map(p -> "--" + p).toArray(String[]::new));
    }

    @Test
    void turnsOnPublisherConfirmsAndReturnsByDefault() {
        try (var context = run()) {
            ConnectionFactory factory = context.getBean(ConnectionFactory.class);
            assertThat(factory.isPublisherConfirms()).isTrue();
            assertThat(factory.isPublisherReturns()).isTrue();
            assertThat(context.getBean(TaskClient.class)).isNotNull();
        }
    }

    @Test
    void refusesToStartWhenPublisherConfirmsAreTurnedOff() {
        assertThatThrownBy(() -> run("spring.rabbitmq.publisher-confirm-type=none"))
                .rootCause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("set spring.rabbitmq.publisher-confirm-type=correlated");
    }

    @Test
    void givesCeleriacsOwnConnectionsEveryNodeOfTheAddressList() {
        try (var context = run(
                "spring.rabbitmq.addresses=rabbit-a:5672,rabbit-b:5673,rabbit-c:5674",
                "spring.rabbitmq.virtual-host=orders")) {
            BrokerConnections broker = context.getBean(BrokerConnections.class);
            assertThat(broker.toString()).isEqualTo("rabbit-a:5672,rabbit-b:5673,rabbit-c:5674");
            assertThat(broker.settings().getVirtualHost()).isEqualTo("orders");
        }
    }

    @Test
    void givesCeleriacsOwnConnectionsTheHostAndPortWithoutAnAddressList() {
        try (var context = run("spring.rabbitmq.host=rabbit.internal", "spring.rabbitmq.port=5700")) {
            assertThat(context.getBean(BrokerConnections.class).toString()).isEqualTo("rabbit.internal:5700");
        }
    }

    @Test
    void declaresTheDefaultQueueWhenNoneIsConfigured() {
        try (var context = run()) {
            Topology topology = context.getBean(Topology.class);
            assertThat(topology.queue("default").arguments()).containsEntry("x-queue-type", "quorum");
            assertThat(context.getBean(Declarables.class).getDeclarables()).isNotEmpty();
        }
    }

    @Test
    void bindsQueuesAndTiersFromProperties() {
        try (var context = run(
                "celeriac.topology.queues.email.kind=priority",
                "celeriac.topology.queues.email.max-priority=5",
                "celeriac.topology.queues.reports.delivery-limit=3",
                "celeriac.topology.queues.reports.max-length=1000",
                "celeriac.topology.delay-tiers=500ms,10s")) {
            Topology topology = context.getBean(Topology.class);
            assertThat(topology.queue("email").arguments()).containsEntry("x-max-priority", 5);
            assertThat(topology.queue("reports").arguments())
                    .containsEntry("x-delivery-limit", 3)
                    .containsEntry("x-max-length", 1000);
            assertThat(topology.queue("celeriac.delay.500ms").arguments()).containsEntry("x-message-ttl", 500);
            assertThat(topology.queue("celeriac.delay.10s")).isNotNull();
            assertThat(QueueKind.valueOf("PRIORITY")).isEqualTo(QueueKind.PRIORITY);
        }
    }

    @Test
    void leavesDeclarationToOthersWhenTurnedOff() {
        try (var context = run("celeriac.topology.declare=false")) {
            assertThat(context.getBeansOfType(Declarables.class)).isEmpty();
        }
    }

    @Test
    void failsAtStartOnAnInvalidQueueSetting() {
        assertThatThrownBy(() -> run("celeriac.topology.queues.bad.delivery-limit=0"))
                .hasStackTraceContaining("deliveryLimit")
                .hasStackTraceContaining("must be greater than or equal to 1");
        assertThatThrownBy(() -> run("celeriac.topology.queues[amq.bad].kind=quorum"))
                .hasStackTraceContaining("must not start with 'amq.'");
    }
}
