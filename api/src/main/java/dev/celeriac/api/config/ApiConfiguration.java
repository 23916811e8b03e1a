package dev.celeriac.api.config;

import dev.celeriac.api.ledger.TaskLedger;
import dev.celeriac.api.recorder.EventRecorder;
import dev.celeriac.protocol.event.EventCodec;
import dev.celeriac.protocol.message.TaskMessageCodec;
import java.time.Clock;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** Wires the ledger, the recorder and the JSON mapper of the API. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ApiProperties.class)
public class ApiConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    org.springframework.boot.web.servlet.FilterRegistrationBean<dev.celeriac.api.problems.BodyLimitFilter> bodyLimit(
            ApiProperties properties) {
        var registration = new org.springframework.boot.web.servlet.FilterRegistrationBean<>(
                new dev.celeriac.api.problems.BodyLimitFilter(properties.maxBodyBytes()));
        registration.addUrlPatterns("/api/*");
        return registration;
    }

    @Bean
    dev.celeriac.api.workers.WorkerRegistry workerRegistry(
            JdbcTemplate jdbc, tools.jackson.databind.json.JsonMapper json) {
        return new dev.celeriac.api.workers.WorkerRegistry(jdbc, json);
    }

    @Bean
    dev.celeriac.api.ledger.LedgerCleanup ledgerCleanup(TaskLedger ledger, ApiProperties properties, Clock clock) {
        return new dev.celeriac.api.ledger.LedgerCleanup(
                ledger, properties.resultTtl(), properties.cleanupInterval(), clock);
    }

    @Bean
    TaskLedger taskLedger(JdbcTemplate jdbc, TransactionTemplate transactions, ApiProperties properties, Clock clock) {
        return new TaskLedger(jdbc, transactions, properties.resultLimit(), clock);
    }

    @Bean
    dev.celeriac.producer.amqp.ConfirmedPublisher celeriacConfirmedPublisher(ConnectionFactory connectionFactory) {
        return new dev.celeriac.producer.amqp.ConfirmedPublisher(connectionFactory);
    }

    @Bean
    dev.celeriac.api.deadletters.DeadLetterStore deadLetterStore(
            JdbcTemplate jdbc, tools.jackson.databind.json.JsonMapper json) {
        return new dev.celeriac.api.deadletters.DeadLetterStore(jdbc, json);
    }

    @Bean
    dev.celeriac.api.deadletters.DeadLetterCollector deadLetterCollector(
            ConnectionFactory connectionFactory,
            AmqpAdmin admin,
            dev.celeriac.protocol.topology.Topology topology,
            dev.celeriac.producer.topology.TopologyProperties topologyProperties,
            dev.celeriac.api.deadletters.DeadLetterStore store,
            TaskLedger ledger,
            TransactionTemplate transactions,
            Clock clock) {
        if (admin instanceof RabbitAdmin rabbitAdmin) {
            rabbitAdmin.initialize();
        }
        return new dev.celeriac.api.deadletters.DeadLetterCollector(
                ownConnectionFactory(connectionFactory),
                topologyProperties.workQueues().stream()
                        .map(dev.celeriac.protocol.topology.WorkQueue::name)
                        .toList(),
                store,
                ledger,
                transactions,
                clock);
    }

    /** A recovering connection of a component's own, apart from the publisher connection. */
    private static com.rabbitmq.client.ConnectionFactory ownConnectionFactory(ConnectionFactory connectionFactory) {
        if (!(connectionFactory instanceof AbstractConnectionFactory spring)) {
            throw new IllegalStateException("the API needs Spring AMQP's caching connection factory");
        }
        com.rabbitmq.client.ConnectionFactory own =
                spring.getRabbitConnectionFactory().clone();
        own.setAutomaticRecoveryEnabled(true);
        own.setTopologyRecoveryEnabled(true);
        return own;
    }

    @Bean
    EventRecorder eventRecorder(
            ConnectionFactory connectionFactory,
            AmqpAdmin admin,
            TaskLedger ledger,
            dev.celeriac.api.workers.WorkerRegistry workers,
            TransactionTemplate transactions,
            TaskMessageCodec codec,
            ApiProperties properties,
            io.micrometer.core.instrument.MeterRegistry meters) {
        // The event queue must exist before the recorder's own connection consumes it.
        if (admin instanceof RabbitAdmin rabbitAdmin) {
            rabbitAdmin.initialize();
        }
        var recorder = new EventRecorder(
                ownConnectionFactory(connectionFactory),
                ledger,
                workers,
                transactions,
                new EventCodec(codec.mapper()),
                properties.recorderBatchSize());
        recorder.bindTo(meters);
        return recorder;
    }

    @Bean
    dev.celeriac.api.metrics.ApiMetrics apiMetrics(
            io.micrometer.core.instrument.MeterRegistry meters,
            AmqpAdmin admin,
            dev.celeriac.producer.topology.TopologyProperties topology) {
        return new dev.celeriac.api.metrics.ApiMetrics(
                meters,
                admin,
                topology.workQueues().stream()
                        .map(dev.celeriac.protocol.topology.WorkQueue::name)
                        .toList());
    }
}
