package dev.celeriac.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.protocol.names.BrokerArguments;
import dev.celeriac.protocol.names.TopologyNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 17 of the reliability suite: a global rate limit of 20 tasks a second across three worker JVMs. While no
 * turn is given, 400 tasks of the limited type wait in the broker, every one of them, and a burst of unlimited tasks
 * through the same queue and the same pools drains in full beside them: a task waiting for its turn holds no slot and
 * no prefetch place (Celery's open bug is that rate-limited tasks fill the prefetch and starve the rest). Once turns are
 * given, the fleet starts the type at 20 a second together (±10 %), not 20 per worker.
 *
 * <p>Each case is made to happen on purpose, not left to how fast this machine is: the scenario holds the type's baton
 * itself (it subscribes to the baton queue before any worker does, so it is the single active consumer the broker
 * hands the baton to) and so no worker releases a parked task until it lets go. Held in slots or prefetch, the waiting
 * tasks would keep the burst from draining at all, whatever the machine's speed.
 */
class RateLimitReliabilityTests {

    private static final String LIMITED_TASK = "demo.echo";
    private static final double RATE = 20;
    private static final int LIMITED = 400;
    private static final int BURST = 3_000;
    private static final int WARM_UP = 1_000;

    @TempDir
    static Path logs;

    @Test
    void limitedTasksWaitInTheBrokerWhileUnlimitedOnesDrainAndThreeWorkersStartThemAtTwentyASecondTogether()
            throws Exception {
        try (var trial = Trial.start("ratelimit", logs);
                var baton = Baton.hold(trial.stack().connect("reliability-baton"))) {
            var stack = trial.stack();
            stack.api();
            for (int i = 1; i <= 3; i++) {
                stack.worker(
                        "worker-" + i,
                        List.of(),
                        "--celeriac.worker.queues.default.concurrency=4",
                        "--celeriac.worker.global-rate-limits." + LIMITED_TASK + "=" + (int) RATE + "/s");
            }
            TaskClient client = stack.producer(true).getBean(TaskClient.class);
            trial.watch();
            await().atMost(Duration.ofSeconds(30)).until(() -> baton.held() == 1);

            // The burst alone, for the report, once the JVMs are warm.
            drain(trial, client, WARM_UP);
            Duration alone = drain(trial, client, BURST);

            // No turn is given: every limited task is parked in the broker, none runs, and the burst drains beside
            // them through the same queue and pools.
            String parking = TopologyNames.rateLimitQueue(LIMITED_TASK);
            List<String> limited = trial.submit(client, LIMITED, () -> TaskRequest.of(LIMITED_TASK));
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> trial.queue(parking).getMessageCount() == LIMITED);
            Duration beside = drain(trial, client, BURST);
            int parkedAfterBurst = trial.queue(parking).getMessageCount();
            long ranWhileHeld = trial.ranAny(limited);

            // Turns given: the fleet's one releaser starts them at the limit. The rate is read between the 10th and
            // the 90th percentile of their starts, so that neither the first turns nor a straggler count.
            baton.close();
            trial.awaitAllTerminal(Duration.ofMinutes(2));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> trial.startTimes(limited).size() == LIMITED);
            List<Double> starts = trial.startTimes(limited);
            int low = starts.size() / 10;
            int high = starts.size() - 1 - low;
            double rate = (high - low) / (starts.get(high) - starts.get(low));

            trial.report(
                    "global rate limit",
                    ("limit %.0f/s over 3 workers: %d parked and %d ran while no turn was given; burst of %d unlimited"
                                    + " drained in %d ms alone and %d ms beside them; released, %.2f/s over the"
                                    + " middle %d of %d starts")
                            .formatted(
                                    RATE,
                                    parkedAfterBurst,
                                    ranWhileHeld,
                                    BURST,
                                    alone.toMillis(),
                                    beside.toMillis(),
                                    rate,
                                    high - low + 1,
                                    starts.size()));
            trial.assertNothingLost();
            assertThat(parkedAfterBurst)
                    .as("limited tasks still parked once the burst beside them drained")
                    .isEqualTo(LIMITED);
            assertThat(ranWhileHeld)
                    .as("limited tasks run while no turn was given")
                    .isZero();
            assertThat(trial.states()).containsExactly(Map.entry("SUCCESS", (long) (WARM_UP + 2 * BURST + LIMITED)));
            assertThat(starts).hasSize(LIMITED);
            assertThat(rate).as("starts per second of the limited type").isBetween(RATE * 0.9, RATE * 1.1);
        }
    }

    /** The limited type's baton, held by the scenario until it is closed (the broker then hands it to a worker). */
    private record Baton(Connection connection, AtomicInteger batons) implements AutoCloseable {

        /**
         * Subscribes to the limited type's baton queue before any worker does: the broker makes this subscription its
         * single active consumer and hands it the baton the first worker adds.
         */
        static Baton hold(Connection connection) throws Exception {
            var batons = new AtomicInteger();
            Channel channel = connection.createChannel();
            String queue = TopologyNames.rateLimitReleaser(LIMITED_TASK);
            channel.queueDeclare(queue, true, false, false, BrokerArguments.RATE_LIMIT_BATON_QUEUE);
            channel.basicQos(1);
            channel.basicConsume(queue, false, (tag, delivery) -> batons.incrementAndGet(), tag -> {});
            return new Baton(connection, batons);
        }

        /** Batons this subscription holds, unacked. */
        int held() {
            return batons.get();
        }

        /** Lets go: the connection goes, and the broker gives the baton back to its queue and on to a worker. */
        @Override
        public void close() {
            connection.abort();
        }
    }

    /** Submits the burst of unlimited tasks and waits until every one succeeded: the time from submit to the last. */
    private static Duration drain(Trial trial, TaskClient client, int tasks) {
        long start = System.nanoTime();
        List<String> burst = trial.submit(client, tasks, () -> TaskRequest.of("demo.add", 2, 3));
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> burst.stream().allMatch(trial::succeeded));
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
