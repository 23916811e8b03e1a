package dev.celeriac.worker;

import dev.celeriac.producer.amqp.ConsumerConnections;
import dev.celeriac.testsupport.broker.RabbitEndpoint;
import dev.celeriac.worker.demo.DemoTasks;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/** Starts in-process workers (Spring Boot applications with the worker starter) on a test vhost. */
final class WorkerApps {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({DemoTasks.class, TestTasks.class})
    static class App {
        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    private WorkerApps() {}

    static ConfigurableApplicationContext start(RabbitEndpoint endpoint, String... properties) {
        var arguments = new ArrayList<String>();
        endpoint.springProperties().forEach((k, v) -> arguments.add("--" + k + "=" + v));
        arguments.add("--celeriac.worker.heartbeat=500ms");
        for (String property : properties) {
            arguments.add("--" + property);
        }
        return new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .run(arguments.toArray(String[]::new));
    }

    /** Declares the topology now, as a worker does before it consumes. */
    static ConfigurableApplicationContext declared(ConfigurableApplicationContext context) {
        ConsumerConnections.declareTopology(context.getBean(AmqpAdmin.class));
        return context;
    }
}
