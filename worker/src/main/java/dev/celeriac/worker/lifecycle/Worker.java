package dev.celeriac.worker.lifecycle;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.producer.amqp.BrokerConnections;
import dev.celeriac.protocol.event.WorkerEvent;
import dev.celeriac.protocol.event.WorkerInfo;
import dev.celeriac.protocol.message.TimeLimit;
import dev.celeriac.protocol.topology.Topology;
import dev.celeriac.worker.internal.consume.QueueConsumer;
import dev.celeriac.worker.internal.consume.TaskRunner;
import dev.celeriac.worker.internal.control.ActiveTask;
import dev.celeriac.worker.internal.control.ControlCommands;
import dev.celeriac.worker.internal.control.RemoteControl;
import dev.celeriac.worker.internal.control.RevocationListener;
import dev.celeriac.worker.internal.control.Revocations;
import dev.celeriac.worker.internal.dispatch.TaskRegistry;
import dev.celeriac.worker.internal.events.EventPublisher;
import dev.celeriac.worker.pool.Autoscaler;
import dev.celeriac.worker.pool.TaskPool;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * A running worker. On start it connects its consumers on a connection of their own (separate from the publisher
 * connection, with automatic recovery) and announces itself. On stop (SIGTERM) it stops taking messages, gives
 * prefetched-but-unstarted ones back at once, lets running tasks finish within the grace period, hands back what is
 * still running, says goodbye and closes: no task is lost or left running forever.
 */
public final class Worker implements SmartLifecycle, ApplicationContextAware {

    private static final Logger log = LoggerFactory.getLogger(Worker.class);
    /** Exit code of a worker that recycled itself, so that its supervisor starts a fresh one. */
    public static final int RECYCLE_EXIT_CODE = 75;

    /**
     * Settings of the worker.
     *
     * @param grace how long running tasks may finish after a stop request
     * @param heartbeat interval of heartbeat events
     * @param version software version reported in worker events
     * @param declareTopology declares the topology before consuming (the consumer connection is not the one that
     *     declares it on open)
     * @param topology the declared topology, for the queues' arguments that remote control reports
     */
    public record Settings(
            Duration grace, Duration heartbeat, String version, Runnable declareTopology, Topology topology) {}

    private final BrokerConnections broker;
    private final List<String> queues;
    private final Function<String, QueueConsumer> consumerFor;
    private final List<QueueConsumer> consumers = new CopyOnWriteArrayList<>();
    private final TaskRunner runner;
    private final TaskRegistry registry;
    private final EventPublisher events;
    private final Revocations revocations;
    private final RevocationListener revocationListener;
    private final ScheduledExecutorService scheduler;
    private final Settings settings;
    private final Function<ControlCommands.Node, RemoteControl> remoteControlFactory;
    private volatile Autoscaler autoscaler;
    private volatile boolean running;
    private volatile Instant startedAt = Instant.now();
    private Connection connection;
    private RemoteControl remoteControl;
    private ApplicationContext context;

    /**
     * @param queues the queues consumed from the start
     * @param consumerFor makes the consumer of a queue, with its pool; also for a queue that remote control adds
     */
    public Worker(
            BrokerConnections broker,
            List<String> queues,
            Function<String, QueueConsumer> consumerFor,
            TaskRunner runner,
            TaskRegistry registry,
            EventPublisher events,
            Revocations revocations,
            RevocationListener revocationListener,
            ScheduledExecutorService scheduler,
            Settings settings,
            Function<ControlCommands.Node, RemoteControl> remoteControl) {
        this.broker = broker;
        this.queues = List.copyOf(queues);
        this.consumerFor = consumerFor;
        this.runner = runner;
        this.registry = registry;
        this.events = events;
        this.revocations = revocations;
        this.revocationListener = revocationListener;
        this.scheduler = scheduler;
        this.settings = settings;
        this.remoteControlFactory = remoteControl;
        runner.onTooManyAbandoned(this::recycle);
    }

    @Override
    public void setApplicationContext(ApplicationContext applicationContext) {
        this.context = applicationContext;
    }

    @Override
    public synchronized void start() {
        settings.declareTopology().run();
        try {
            connection = broker.open("celeriac-worker-consumers " + events.hostname());
            // Revocations first: a task revoked while this worker was down must not run.
            revocationListener.start(connection);
            remoteControl = remoteControlFactory.apply(new Node());
            remoteControl.start(connection);
            for (String queue : queues) {
                QueueConsumer consumer = consumerFor.apply(queue);
                consumer.start(connection);
                consumers.add(consumer);
            }
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("the worker could not connect its consumers to RabbitMQ", e);
        }
        running = true;
        startedAt = Instant.now();
        sendQuietly(new WorkerEvent.Online(
                events.source(), freq(), "celeriac", settings.version(), os(), info(), Map.of()));
        long every = settings.heartbeat().toMillis();
        scheduler.scheduleAtFixedRate(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
        scheduler.scheduleAtFixedRate(revocations::expire, 1, 1, TimeUnit.MINUTES);
        scheduler.scheduleWithFixedDelay(this::autoscale, 1, 1, TimeUnit.SECONDS);
        log.info(
                "worker {} is ready: {} tasks on queues {}",
                events.hostname(),
                registry.all().size(),
                consumers.stream().map(QueueConsumer::queue).toList());
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        log.info(
                "worker {} is stopping: {} tasks running, grace {}",
                events.hostname(),
                runner.active(),
                settings.grace());
        consumers.forEach(QueueConsumer::stopConsuming);
        long deadline = System.nanoTime() + settings.grace().toNanos();
        while (runner.active() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        runner.requeueRunning();
        sendQuietly(new WorkerEvent.Offline(
                events.source(), freq(), "celeriac", settings.version(), os(), info(), Map.of()));
        scheduler.shutdownNow();
        try {
            events.close(); // task events still waiting go out first
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumers.forEach(QueueConsumer::close);
        remoteControl.close();
        revocationListener.close();
        try {
            connection.close();
        } catch (IOException | RuntimeException e) {
            log.debug("closing the consumer connection: {}", e.toString());
        }
        log.info("worker {} stopped after {} tasks", events.hostname(), runner.processed());
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void heartbeat() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        sendQuietly(new WorkerEvent.Heartbeat(
                events.source(),
                freq(),
                "celeriac",
                settings.version(),
                os(),
                runner.active(),
                runner.processed(),
                load < 0 ? List.of() : List.of(load, load, load),
                info(),
                Map.of()));
    }

    /** Resizes each pool to what autoscaling asks for, when it is on. */
    private void autoscale() {
        Autoscaler bounds = autoscaler;
        if (bounds == null || !running) {
            return;
        }
        for (QueueConsumer consumer : consumers) {
            TaskPool pool = consumer.pool();
            int tasks = pool.active() + runner.reserved(consumer.queue());
            int size = bounds.size(pool.size(), tasks, consumer.sinceGrown());
            if (size != pool.size()) {
                resize(consumer, size);
            }
        }
    }

    private static void resize(QueueConsumer consumer, int size) {
        try {
            consumer.resize(size);
        } catch (IOException | RuntimeException e) {
            log.warn("could not resize the pool of queue '{}' to {}: {}", consumer.queue(), size, e.toString());
        }
    }

    /** Starts consuming {@code queue}; false if this worker already does. */
    private synchronized boolean addConsumer(String queue) throws IOException {
        if (consumers.stream().anyMatch(c -> c.queue().equals(queue))) {
            return false;
        }
        if (settings.topology().queues().stream().noneMatch(q -> q.name().equals(queue))) {
            throw new IllegalArgumentException(
                    "queue '" + queue + "' is not declared: add it to celeriac.topology.queues");
        }
        QueueConsumer consumer = consumerFor.apply(queue);
        consumer.start(connection);
        consumers.add(consumer);
        return true;
    }

    /**
     * Stops consuming {@code queue}: the tasks it runs finish within the shutdown grace, those waiting for a slot go
     * back to the queue; false if this worker does not consume it.
     */
    private synchronized boolean cancelConsumer(String queue) {
        QueueConsumer consumer = consumers.stream()
                .filter(c -> c.queue().equals(queue))
                .findFirst()
                .orElse(null);
        if (consumer == null) {
            return false;
        }
        consumers.remove(consumer);
        consumer.stopConsuming();
        Thread.ofVirtual().name("celeriac-cancel-" + queue).start(() -> {
            try {
                if (!consumer.awaitSettled(settings.grace())) {
                    log.warn("tasks of queue '{}' still ran after the grace; they go back to the queue", queue);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            consumer.close();
            log.info("worker {} no longer consumes queue '{}'", events.hostname(), queue);
        });
        return true;
    }

    /** What Celery's remote control commands see of this worker. */
    private final class Node implements ControlCommands.Node {
        @Override
        public String hostname() {
            return events.hostname();
        }

        @Override
        public String version() {
            return settings.version();
        }

        @Override
        public Instant startedAt() {
            return startedAt;
        }

        @Override
        public List<ActiveTask> active() {
            return runner.activeTasks();
        }

        @Override
        public Map<String, Long> totals() {
            return runner.totals();
        }

        @Override
        public Set<String> registered() {
            return registry.all().keySet();
        }

        @Override
        public List<ControlCommands.PoolInfo> pools() {
            return consumers.stream()
                    .map(c -> new ControlCommands.PoolInfo(
                            settings.topology().queue(c.queue()),
                            c.pool().kind().label(),
                            c.pool().size(),
                            c.pool().active(),
                            c.prefetch()))
                    .toList();
        }

        @Override
        public Map<String, Object> broker() {
            // The node the consumers are connected to now (after a failover, another node of the cluster).
            Connection current = connection;
            Address first = broker.nodes().getFirst();
            ConnectionFactory settings = broker.settings();
            var info = new LinkedHashMap<String, Object>();
            info.put("hostname", current != null ? current.getAddress().getHostAddress() : first.getHost());
            info.put("userid", settings.getUsername());
            info.put("virtual_host", settings.getVirtualHost());
            info.put("port", current != null ? current.getPort() : first.getPort());
            info.put("ssl", settings.isSSL());
            info.put("transport", "amqp");
            info.put("heartbeat", settings.getRequestedHeartbeat());
            info.put(
                    "alternates",
                    broker.nodes().stream()
                            .map(a -> a.getHost() + ":" + a.getPort())
                            .toList());
            return info;
        }

        @Override
        public long clock() {
            return events.clock();
        }

        @Override
        public void clockSeen(long value) {
            events.adjustClock(value);
        }

        @Override
        public boolean taskEvents() {
            return events.taskEvents();
        }

        @Override
        public boolean taskEvents(boolean enabled) {
            boolean before = events.taskEvents(enabled);
            if (before != enabled) {
                log.info("task events turned {} by remote control", enabled ? "on" : "off");
            }
            return before;
        }

        @Override
        public void heartbeat() {
            Worker.this.heartbeat();
        }

        @Override
        public List<ActiveTask> reserved() {
            return runner.reservedTasks();
        }

        @Override
        public List<ActiveTask> scheduled() {
            return runner.scheduledTasks();
        }

        @Override
        public List<String> resize(int change, String queue) {
            if (autoscaler != null) {
                throw new IllegalStateException("is not supported with autoscale. Adjust autoscale range instead.");
            }
            var resized = new ArrayList<String>();
            for (QueueConsumer consumer : consumers) {
                if (queue != null && !consumer.queue().equals(queue)) {
                    continue;
                }
                int size = consumer.pool().size() + change;
                if (size < 1) {
                    throw new IllegalArgumentException("the pool of queue '" + consumer.queue() + "' has "
                            + consumer.pool().size() + " slots and cannot shrink by " + -change);
                }
                resized.add(consumer.queue());
            }
            if (resized.isEmpty()) {
                throw new IllegalArgumentException("this worker does not consume queue '" + queue + "'");
            }
            consumers.stream()
                    .filter(c -> resized.contains(c.queue()))
                    .forEach(c -> Worker.resize(c, c.pool().size() + change));
            return resized;
        }

        @Override
        public Autoscaler autoscale(Autoscaler bounds) {
            autoscaler = bounds;
            log.info("pools autoscale between {} and {} slots, by remote control", bounds.min(), bounds.max());
            return bounds;
        }

        @Override
        public Autoscaler autoscaler() {
            return autoscaler;
        }

        @Override
        public boolean addConsumer(String queue) throws IOException {
            return Worker.this.addConsumer(queue);
        }

        @Override
        public boolean cancelConsumer(String queue) {
            return Worker.this.cancelConsumer(queue);
        }

        @Override
        public boolean timeLimit(String task, TimeLimit limit) {
            return registry.timeLimit(task, limit);
        }

        @Override
        public void shutdown() {
            log.warn("worker {} shuts down, asked by remote control", events.hostname());
            exit(0);
        }
    }

    private WorkerInfo info() {
        var pools = consumers.stream().map(QueueConsumer::pool).toList();
        String kinds = pools.stream()
                .map(p -> p.kind().label())
                .distinct()
                .reduce((a, b) -> a + "," + b)
                .orElse("");
        return new WorkerInfo(
                consumers.stream().map(QueueConsumer::queue).toList(),
                kinds,
                pools.stream().mapToInt(p -> p.size()).sum(),
                List.copyOf(registry.all().keySet()));
    }

    private double freq() {
        return settings.heartbeat().toMillis() / 1000.0;
    }

    private static String os() {
        return System.getProperty("os.name");
    }

    private void sendQuietly(WorkerEvent event) {
        try {
            events.send(events.hostname(), event);
        } catch (TaskPublishException e) {
            log.warn("{} was not sent: {}", event.type().wireName(), e.getMessage());
        }
    }

    /** Drains and exits with {@link #RECYCLE_EXIT_CODE}, so that the supervisor starts a fresh worker. */
    private void recycle() {
        exit(RECYCLE_EXIT_CODE);
    }

    /** Drains as on SIGTERM, then exits the JVM with {@code code}, off the calling thread. */
    private void exit(int code) {
        Thread.ofPlatform().name("celeriac-exit").start(() -> {
            int exit = context instanceof ConfigurableApplicationContext configurable
                    ? SpringApplication.exit(configurable, () -> code)
                    : code;
            System.exit(exit);
        });
    }
}
