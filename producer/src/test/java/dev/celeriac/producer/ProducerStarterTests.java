package dev.celeriac.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.producer.autoconfigure.CeleriacProducerAutoConfiguration;
import dev.celeriac.producer.tracing.TaskObservations;
import dev.celeriac.protocol.message.TaskMessageCodec;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The producer starter with Spring Boot's context runner: what it gives, and what it leaves to the application. */
class ProducerStarterTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(
                    AutoConfigurations.of(RabbitAutoConfiguration.class, CeleriacProducerAutoConfiguration.class))
            .withPropertyValues(
                    "spring.rabbitmq.publisher-confirm-type=correlated", "spring.rabbitmq.publisher-returns=true");

    @Test
    void givesATaskClientAndTheCodecAndTracesNothingByDefault() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(TaskClient.class).hasSingleBean(TaskMessageCodec.class);
            assertThat(context.getBean(TaskObservations.class)).isSameAs(TaskObservations.OFF);
        });
    }

    @Test
    void backsOffWhereTheApplicationDefinesItsOwnBeans() {
        var codec = new TaskMessageCodec();
        runner.withBean(TaskMessageCodec.class, () -> codec)
                .withBean(TaskObservations.class, () -> TaskObservations.OFF)
                .run(context -> {
                    assertThat(context.getBean(TaskMessageCodec.class)).isSameAs(codec);
                    assertThat(context).hasSingleBean(TaskObservations.class);
                });
    }

    @Test
    void observesTasksWithTheApplicationsRegistryOnlyWhenTracingIsTurnedOn() {
        var registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(context -> true); // a registry with no handler observes nothing
        runner.withBean(ObservationRegistry.class, () -> registry)
                .run(context -> assertThat(
                                context.getBean(TaskObservations.class).enabled())
                        .isFalse());
        runner.withBean(ObservationRegistry.class, () -> registry)
                .withPropertyValues("celeriac.tracing.enabled=true")
                .run(context -> assertThat(
                                context.getBean(TaskObservations.class).enabled())
                        .isTrue());
        runner.withPropertyValues("celeriac.tracing.enabled=true")
                .run(context ->
                        assertThat(context.getBean(TaskObservations.class)).isSameAs(TaskObservations.OFF));
    }
}
