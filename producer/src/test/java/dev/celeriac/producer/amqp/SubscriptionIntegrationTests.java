package dev.celeriac.producer.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The one way Celeriac's consumers take messages, against the real broker. */
class SubscriptionIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    private static final String QUEUE = "subscription-test";

    private Connection connection;
    private final List<Long> held = new CopyOnWriteArrayList<>();

    @BeforeEach
    void declare() throws Exception {
        connection = rabbit.endpoint().connectionFactory().newConnection();
        try (var channel = connection.createChannel()) {
            channel.queueDeclare(QUEUE, true, false, false, Map.of("x-queue-type", "quorum"));
            channel.queuePurge(QUEUE);
        }
    }

    @AfterEach
    void close() throws Exception {
        connection.close();
    }

    private void publish(int messages) throws Exception {
        try (var channel = connection.createChannel()) {
            channel.confirmSelect();
            for (int i = 0; i < messages; i++) {
                channel.basicPublish(
                        "", QUEUE, MessageProperties.PERSISTENT_BASIC, ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(10_000);
        }
    }

    private long consumers() throws Exception {
        try (var channel = connection.createChannel()) {
            return channel.queueDeclarePassive(QUEUE).getConsumerCount();
        }
    }

    @Test
    void holdsNoMoreUnackedDeliveriesThanItsPrefetchAndTakesMoreOnceItIsRaised() throws Exception {
        publish(10);
        try (var subscription = Subscription.to(connection, QUEUE)
                .prefetch(2)
                .start((channel, envelope, properties, body) -> held.add(envelope.getDeliveryTag()))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 2);
            Thread.sleep(300); // nothing more may come while the two are held
            assertThat(held).hasSize(2);

            subscription.prefetch(5);

            await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 7);
            // The deliveries taken before the new subscription are still acked on the same channel.
            for (long tag : held) {
                subscription.channel().basicAck(tag, false);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 10);
        }
    }

    @Test
    void aPausedSubscriptionTakesNothingUntilItResumes() throws Exception {
        try (var subscription = Subscription.to(connection, QUEUE)
                .autoAck(true)
                .start((channel, envelope, properties, body) -> held.add(envelope.getDeliveryTag()))) {
            subscription.pause();
            subscription.pause(); // pausing twice is pausing
            assertThat(subscription.subscribed()).isFalse();
            await().atMost(Duration.ofSeconds(10)).until(() -> consumers() == 0);
            publish(3);
            Thread.sleep(300);
            assertThat(held).isEmpty();

            subscription.resume();

            assertThat(subscription.subscribed()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 3);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> consumers() == 0);
    }

    @Test
    void aHandlerThatFailsDoesNotStopTheSubscription() throws Exception {
        publish(3);
        try (var subscription = Subscription.to(connection, QUEUE)
                .autoAck(true)
                .start((channel, envelope, properties, body) -> {
                    held.add(envelope.getDeliveryTag());
                    throw new IllegalStateException("a handler's own failure");
                })) {
            await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 3);
            assertThat(subscription.channel().isOpen()).isTrue();
        }
    }
}
