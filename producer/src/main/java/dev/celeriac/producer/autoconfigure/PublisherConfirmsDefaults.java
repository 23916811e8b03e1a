package dev.celeriac.producer.autoconfigure;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns on correlated publisher confirms and returns for Boot's RabbitMQ connection factory, with the lowest
 * precedence, so that the task client can confirm every publish. An application that turns them off explicitly gets
 * a clear start-up error from the task client instead of silently unconfirmed publishes.
 */
public final class PublisherConfirmsDefaults implements EnvironmentPostProcessor {

    static final String SOURCE = "celeriacPublisherConfirmsDefaults";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment
                .getPropertySources()
                .addLast(new MapPropertySource(
                        SOURCE,
                        Map.of(
                                "spring.rabbitmq.publisher-confirm-type", "correlated",
                                "spring.rabbitmq.publisher-returns", "true")));
    }
}
