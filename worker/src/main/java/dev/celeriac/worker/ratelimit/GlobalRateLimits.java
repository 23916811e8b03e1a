package dev.celeriac.worker.ratelimit;

import com.rabbitmq.client.Connection;
import dev.celeriac.producer.amqp.BrokerConnections;
import dev.celeriac.protocol.control.RateLimit;
import dev.celeriac.protocol.names.BrokerArguments;
import dev.celeriac.protocol.names.MetricNames;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.worker.internal.metrics.WorkerMetrics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Global rate limits: how often the whole fleet, every worker together, starts a task type ({@code "20/s"} across
 * three workers is 20 a second in all, not 60). Workers need nothing but RabbitMQ for it. A task of a limited type
 * that has not had its turn is parked in its type's queue in the broker ({@link Parking}); one worker of the fleet,
 * whichever holds the type's baton, releases the parked tasks back to their work queues one turn at a time
 * ({@link Releaser}), and a released task runs at once. So a waiting task holds no worker's slot, prefetch place or
 * memory, and tasks of other types on the same queues run at full speed.
 *
 * <p>Limits come from {@code celeriac.worker.global-rate-limits.<task>}, else from the task's
 * {@code @CeleriacTask(globalRateLimit)}; the releasing worker's limit is the one in force, so every worker should be
 * given the same. Starts before the worker's consumers (the parking queues must exist before a task is parked there)
 * and stops after them.
 */
public final class GlobalRateLimits implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(GlobalRateLimits.class);

    private final Map<String, RateLimit> configured;
    private final Supplier<Map<String, RateLimit>> declared;
    private final BrokerConnections broker;
    private final Parking parking;
    private final WorkerMetrics metrics;
    private final String worker;
    private final Map<String, RateLimit> inForce = new TreeMap<>();
    private final Map<String, Releaser> releasers = new TreeMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    /**
     * @param configured limits by task name that win over the tasks' own
     * @param declared the global limits the tasks registered on this worker declare, by task name ({@link RateLimit#NONE}
     *     for none); read at start, once every task is registered
     * @param broker the broker the consumers use
     * @param worker this worker's node name
     */
    public GlobalRateLimits(
            Map<String, RateLimit> configured,
            Supplier<Map<String, RateLimit>> declared,
            BrokerConnections broker,
            Parking parking,
            WorkerMetrics metrics,
            String worker) {
        this.configured = Map.copyOf(configured);
        this.declared = declared;
        this.broker = broker.withoutRecovery();
        this.parking = parking;
        this.metrics = metrics;
        this.worker = worker;
    }

    /**
     * The global limit of a task type.
     *
     * @param declared the limit the task declares, used unless one is configured
     */
    public RateLimit of(String task, RateLimit declared) {
        return configured.getOrDefault(task, declared);
    }

    /** Where this worker parks the tasks of a limited type that have not had their turn. */
    public Parking parking() {
        return parking;
    }

    /** Whether this worker is the one of the fleet that releases the parked tasks of {@code task}'s type now. */
    public synchronized boolean releases(String task) {
        Releaser releaser = releasers.get(task);
        return releaser != null && releaser.releasing();
    }

    @Override
    public synchronized void start() {
        declared.get().forEach((task, limit) -> {
            RateLimit effective = of(task, limit);
            if (effective.limits()) {
                inForce.put(task, effective);
            }
        });
        if (!inForce.isEmpty()) {
            declareParkingQueues();
        }
        inForce.forEach((task, limit) -> {
            metrics.rateLimit(task, MetricNames.SCOPE_GLOBAL, limit.perSecond());
            var releaser = new Releaser(task, limit, broker, parking, metrics::released, worker, System::nanoTime);
            releasers.put(task, releaser);
            threads.add(Thread.ofPlatform()
                    .name("celeriac-releaser-" + task)
                    .daemon()
                    .start(releaser));
        });
        running = true;
    }

    private void declareParkingQueues() {
        try (Connection connection = broker.open("celeriac-rate-limits " + worker)) {
            var channel = connection.createChannel();
            for (String task : inForce.keySet()) {
                channel.queueDeclare(
                        TopologyNames.rateLimitQueue(task),
                        true,
                        false,
                        false,
                        Map.of(BrokerArguments.QUEUE_TYPE, BrokerArguments.QUEUE_TYPE_QUORUM));
            }
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("the worker could not declare the queues of its global rate limits", e);
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        releasers.values().forEach(Releaser::stop);
        for (Thread thread : threads) {
            thread.interrupt();
            try {
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        threads.clear();
        releasers.clear();
        log.debug("global rate limits stopped");
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Just before the worker's consumers start, and just after they stop. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1;
    }
}
