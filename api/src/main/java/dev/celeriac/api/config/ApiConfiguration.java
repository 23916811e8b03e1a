package dev.celeriac.api.config;

import dev.celeriac.api.deadletters.DeadLetterCollector;
import dev.celeriac.api.deadletters.DeadLetterStore;
import dev.celeriac.api.ledger.LedgerCleanup;
import dev.celeriac.api.ledger.TaskCompletions;
import dev.celeriac.api.ledger.TaskLedger;
import dev.celeriac.api.metrics.ApiMetrics;
import dev.celeriac.api.problems.BodyLimitFilter;
import dev.celeriac.api.queues.QueueStatistics;
import dev.celeriac.api.recorder.EventRecorder;
import dev.celeriac.api.workers.WorkerRegistry;
import dev.celeriac.producer.amqp.ConfirmedPublisher;
import dev.celeriac.producer.amqp.ConsumerConnections;
import dev.celeriac.producer.topology.TopologyProperties;
import dev.celeriac.protocol.event.EventCodec;
import dev.celeriac.protocol.message.TaskMessageCodec;
import dev.celeriac.protocol.topology.WorkQueue;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/** Wires the ledger, the recorder and the JSON mapper of the API. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ApiProperties.class)
public class ApiConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    FilterRegistrationBean<BodyLimitFilter> bodyLimit(ApiProperties properties) {
        var registration = new FilterRegistrationBean<>(new BodyLimitFilter(properties.maxBodyBytes()));
        registration.addUrlPatterns("/api/*");
        return registration;
    }

    @Bean
    WorkerRegistry workerRegistry(JdbcTemplate jdbc, JsonMapper json) {
        return new WorkerRegistry(jdbc, json);
    }

    @Bean
    LedgerCleanup ledgerCleanup(TaskLedger ledger, ApiProperties properties, Clock clock) {
        return new LedgerCleanup(ledger, properties.resultTtl(), properties.cleanupInterval(), clock);
    }

    @Bean
    TaskCompletions taskCompletions() {
        return new TaskCompletions();
    }

    @Bean
    TaskLedger taskLedger(JdbcTemplate jdbc, TransactionTemplate transactions, ApiProperties properties, Clock clock) {
        return new TaskLedger(jdbc, transactions, properties.resultLimit(), clock);
    }

    @Bean
    ConfirmedPublisher celeriacConfirmedPublisher(ConnectionFactory connectionFactory) {
        return new ConfirmedPublisher(connectionFactory);
    }

    @Bean
    DeadLetterStore deadLetterStore(JdbcTemplate jdbc, JsonMapper json) {
        return new DeadLetterStore(jdbc, json);
    }

    /**
     * The connection factory of the API's own consumers (recorder, dead-letter collector). The queues they consume
     * must exist before they connect, so the topology is declared here, once.
     */
    @Bean
    com.rabbitmq.client.ConnectionFactory celeriacConsumerConnections(
            ConnectionFactory connectionFactory, AmqpAdmin admin) {
        ConsumerConnections.declareTopology(admin);
        return ConsumerConnections.factoryFor(connectionFactory);
    }

    @Bean
    DeadLetterCollector deadLetterCollector(
            com.rabbitmq.client.ConnectionFactory celeriacConsumerConnections,
            TopologyProperties topologyProperties,
            DeadLetterStore store,
            TaskLedger ledger,
            TransactionTemplate transactions,
            Clock clock) {
        return new DeadLetterCollector(
                celeriacConsumerConnections,
                topologyProperties.workQueues().stream().map(WorkQueue::name).toList(),
                store,
                ledger,
                transactions,
                clock);
    }

    @Bean
    EventRecorder eventRecorder(
            com.rabbitmq.client.ConnectionFactory celeriacConsumerConnections,
            TaskLedger ledger,
            TaskCompletions completions,
            WorkerRegistry workers,
            TransactionTemplate transactions,
            TaskMessageCodec codec,
            ApiProperties properties,
            MeterRegistry meters) {
        var recorder = new EventRecorder(
                celeriacConsumerConnections,
                ledger,
                completions,
                workers,
                transactions,
                new EventCodec(codec.mapper()),
                properties.recorderBatchSize());
        recorder.bindTo(meters);
        return recorder;
    }

    @Bean
    QueueStatistics queueStatistics(
            TopologyProperties topology,
            AmqpAdmin admin,
            DeadLetterStore deadLetters,
            WorkerRegistry workers,
            Clock clock) {
        return new QueueStatistics(
                topology.workQueues().stream().map(WorkQueue::name).toList(), admin, deadLetters, workers, clock);
    }

    @Bean
    ApiMetrics apiMetrics(MeterRegistry meters, QueueStatistics statistics) {
        return new ApiMetrics(meters, statistics);
    }
}
