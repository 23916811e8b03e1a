package dev.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.producer.autoconfigure.CeleriacProducerAutoConfiguration;
import dev.celeriac.protocol.control.RateLimit;
import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import dev.celeriac.worker.config.CeleriacWorkerAutoConfiguration;
import dev.celeriac.worker.demo.DemoTasks;
import dev.celeriac.worker.internal.dispatch.TaskRegistry;
import dev.celeriac.worker.lifecycle.Worker;
import dev.celeriac.worker.ratelimit.RateLimiter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The worker starter with Spring Boot's context runner on a real broker: what it gives, what it leaves to the
 * application, and the configuration it refuses at start with a message that names the property.
 */
class WorkerStarterIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        RabbitAutoConfiguration.class,
                        CeleriacProducerAutoConfiguration.class,
                        CeleriacWorkerAutoConfiguration.class))
                .withUserConfiguration(DemoTasks.class)
                .withPropertyValues(rabbit.endpoint().springProperties().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .toArray(String[]::new))
                .withPropertyValues(
                        "spring.rabbitmq.publisher-confirm-type=correlated", "spring.rabbitmq.publisher-returns=true");
    }

    @Test
    void runsAWorkerForTheTasksOfTheApplicationsBeans() {
        runner().run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(Worker.class);
            assertThat(context.getBean(Worker.class).isRunning()).isTrue();
            assertThat(context.getBean(TaskRegistry.class).find("demo.add")).isNotNull();
        });
    }

    @Test
    void backsOffWhereTheApplicationDefinesItsOwnBeans() {
        var limiter = new RateLimiter(Map.of("demo.add", RateLimit.parse("1/s")), System::nanoTime, (t, l) -> {});
        runner().withBean(RateLimiter.class, () -> limiter).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(RateLimiter.class)).isSameAs(limiter);
        });
    }

    @Test
    void runsNoWorkerWhenTurnedOff() {
        runner().withPropertyValues("celeriac.worker.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Worker.class));
    }

    @Test
    void refusesAtStartAQueueItWouldConsumeButNothingDeclaresAndAPoolItCouldNotFill() {
        runner().withPropertyValues("celeriac.worker.queues.nowhere.concurrency=2")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("celeriac.worker.queues.nowhere is consumed but not declared"));
        runner().withPropertyValues(
                        "celeriac.worker.queues.default.concurrency=2", "celeriac.worker.queues.default.lookahead=3")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining(
                                "celeriac.worker.queues.default.lookahead (3) must not exceed its concurrency (2)"));
    }
}
