package dev.celeriac.producer.autoconfigure;

import com.rabbitmq.client.Address;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.amqp.BrokerConnections;
import dev.celeriac.producer.amqp.ConsumerConnections;
import dev.celeriac.producer.internal.RabbitTaskClient;
import dev.celeriac.producer.topology.TopologyDeclarables;
import dev.celeriac.producer.topology.TopologyProperties;
import dev.celeriac.producer.tracing.TaskObservations;
import dev.celeriac.producer.tracing.TracingProperties;
import dev.celeriac.protocol.message.TaskMessageCodec;
import dev.celeriac.protocol.topology.Topology;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.amqp.autoconfigure.RabbitConnectionDetails;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of Celeriac's producer side: the {@link TaskClient}, the task codec and the declaration of the
 * topology ({@code celeriac.topology.*}) by Boot's {@code RabbitAdmin} whenever a connection opens.
 */
@AutoConfiguration(
        after = RabbitAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@EnableConfigurationProperties({ProducerProperties.class, TopologyProperties.class, TracingProperties.class})
public final class CeleriacProducerAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TaskMessageCodec celeriacTaskMessageCodec() {
        return new TaskMessageCodec();
    }

    @Bean
    @ConditionalOnMissingBean
    Topology celeriacTopology(TopologyProperties properties) {
        return properties.topology();
    }

    @Bean
    @ConditionalOnProperty(name = "celeriac.topology.declare", havingValue = "true", matchIfMissing = true)
    @ConditionalOnMissingBean(name = "celeriacTopologyDeclarables")
    Declarables celeriacTopologyDeclarables(Topology topology) {
        return TopologyDeclarables.of(topology);
    }

    /**
     * Every node of the broker for Celeriac's own connections: those of {@code spring.rabbitmq.addresses} (or host and
     * port), as Spring Boot's connection details give them.
     */
    @Bean
    @ConditionalOnMissingBean
    BrokerConnections celeriacBrokerConnections(
            ConnectionFactory connectionFactory, ObjectProvider<RabbitConnectionDetails> details) {
        RabbitConnectionDetails connection = details.getIfAvailable();
        if (connection == null) {
            return ConsumerConnections.brokerFor(connectionFactory);
        }
        return ConsumerConnections.brokerFor(
                connectionFactory,
                connection.getAddresses().stream()
                        .map(node -> new Address(node.host(), node.port()))
                        .toList());
    }

    /**
     * The observations of task publishes and runs: the application's observation registry when
     * {@code celeriac.tracing.enabled}, else none at all.
     */
    @Bean
    @ConditionalOnMissingBean
    TaskObservations celeriacTaskObservations(
            TracingProperties properties, ObjectProvider<ObservationRegistry> registry) {
        ObservationRegistry observations = registry.getIfAvailable();
        return properties.enabled() && observations != null ? new TaskObservations(observations) : TaskObservations.OFF;
    }

    @Bean
    @ConditionalOnMissingBean
    TaskClient celeriacTaskClient(
            ConnectionFactory connectionFactory,
            BrokerConnections broker,
            TaskMessageCodec codec,
            ProducerProperties properties,
            ObjectProvider<MeterRegistry> meters,
            TaskObservations observations) {
        String origin = properties.origin() != null ? properties.origin() : NodeNames.of("java");
        return new RabbitTaskClient(
                connectionFactory,
                broker,
                codec,
                new RabbitTaskClient.Settings(
                        properties.defaultQueue(), properties.confirmTimeout(), origin, properties.sendSentEvents()),
                meters.getIfAvailable(() -> Metrics.globalRegistry),
                observations,
                Clock.systemUTC());
    }
}
