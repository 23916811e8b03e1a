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
    TaskLedger taskLedger(JdbcTemplate jdbc, TransactionTemplate transactions, ApiProperties properties, Clock clock) {
        return new TaskLedger(jdbc, transactions, properties.resultLimit(), clock);
    }

    @Bean
    EventRecorder eventRecorder(
            ConnectionFactory connectionFactory,
            AmqpAdmin admin,
            TaskLedger ledger,
            TaskMessageCodec codec,
            ApiProperties properties) {
        if (!(connectionFactory instanceof AbstractConnectionFactory spring)) {
            throw new IllegalStateException("the recorder needs Spring AMQP's caching connection factory");
        }
        // The event queue must exist before the recorder's own connection consumes it.
        if (admin instanceof RabbitAdmin rabbitAdmin) {
            rabbitAdmin.initialize();
        }
        com.rabbitmq.client.ConnectionFactory recorderFactory =
                spring.getRabbitConnectionFactory().clone();
        recorderFactory.setAutomaticRecoveryEnabled(true);
        recorderFactory.setTopologyRecoveryEnabled(true);
        return new EventRecorder(
                recorderFactory, ledger, new EventCodec(codec.mapper()), properties.recorderBatchSize());
    }
}
