package dev.celeriac.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.bench.stack.Stack;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.testsupport.proxy.FaultProxy;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 6 of the reliability suite: the API and both workers reach RabbitMQ through a fault proxy, which adds
 * latency, cuts every connection, and then refuses connections for a while, all during a steady flow of tasks. The
 * components reconnect by themselves; every accepted task ends SUCCESS and every consumer comes back.
 */
class NetworkFaultReliabilityTests {

    @TempDir
    static Path logs;

    /**
     * Tasks that may run twice: whatever a worker held unacked each time its connection went (its prefetch, pool of 8
     * and one more, and a quarantined task it was running), for two workers and four losses: three cuts and the
     * outage.
     */
    private static final int RAN_TWICE_BOUND = 4 * 2 * (8 + 1 + 1);

    @Test
    void latencyCutsAndAnOutageBetweenComponentsAndBrokerLoseNothing() throws Exception {
        try (var trial = Trial.start("network", logs);
                var link = FaultProxy.to("127.0.0.1", 5672)) {
            Stack stack = trial.stack();
            String port = "--spring.rabbitmq.port=" + link.port();
            stack.api(port);
            TaskClient client = trial.twoWorkersAndAProducer(port, "--celeriac.worker.queues.default.concurrency=8");

            long cutsReconnected;
            Duration recovered;
            try (var feed = trial.keepSubmitting(client, 10, () -> TaskRequest.of("demo.sleep", 10))) {
                Thread.sleep(3_000);
                link.latency(Duration.ofMillis(200));
                Thread.sleep(10_000);
                link.latency(Duration.ZERO);
                long before = link.connectionsAccepted();
                for (int i = 0; i < 3; i++) {
                    link.cut();
                    Thread.sleep(5_000);
                }
                cutsReconnected = link.connectionsAccepted() - before;
                link.disconnect();
                Thread.sleep(15_000);
                link.restore();
                long restoring = System.nanoTime();
                await().atMost(Duration.ofMinutes(1))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> trial.queue("default").getConsumerCount() == 2
                                && trial.queue(TopologyNames.EVENT_QUEUE).getConsumerCount() == 1);
                recovered = Duration.ofNanos(System.nanoTime() - restoring);
                Thread.sleep(3_000);
            }
            trial.awaitAllTerminal(Duration.ofMinutes(2));
            trial.report(
                    "network faults",
                    "connections made again after 3 cuts %d, consumers back %.1f s after a 15 s outage, bound of ran twice %d"
                            .formatted(cutsReconnected, recovered.toMillis() / 1000.0, RAN_TWICE_BOUND));
            trial.assertNothingLost();
            assertThat(trial.states()).containsOnlyKeys("SUCCESS");
            assertThat(cutsReconnected).isPositive();
            assertThat(trial.ranTwice()).isLessThanOrEqualTo(RAN_TWICE_BOUND);
        }
    }
}
