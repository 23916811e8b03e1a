package dev.celeriac.worker.lifecycle;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.producer.amqp.BrokerConnections;
import dev.celeriac.protocol.event.WorkerEvent;
import dev.celeriac.protocol.event.WorkerInfo;
import dev.celeriac.protocol.topology.Topology;
import dev.celeriac.worker.consume.QueueConsumer;
import dev.celeriac.worker.consume.TaskRunner;
import dev.celeriac.worker.control.ActiveTask;
import dev.celeriac.worker.control.ControlCommands;
import dev.celeriac.worker.control.RemoteControl;
import dev.celeriac.worker.control.RevocationListener;
import dev.celeriac.worker.control.Revocations;
import dev.celeriac.worker.dispatch.TaskRegistry;
import dev.celeriac.worker.events.EventPublisher;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    private final List<QueueConsumer> consumers;
    private final TaskRunner runner;
    private final TaskRegistry registry;
    private final EventPublisher events;
    private final Revocations revocations;
    private final RevocationListener revocationListener;
    private final ScheduledExecutorService scheduler;
    private final Settings settings;
    private final Function<ControlCommands.Node, RemoteControl> remoteControlFactory;
    private volatile boolean running;
    private volatile Instant startedAt = Instant.now();
    private Connection connection;
    private RemoteControl remoteControl;
    private ApplicationContext context;

    public Worker(
            BrokerConnections broker,
            List<QueueConsumer> consumers,
            TaskRunner runner,
            TaskRegistry registry,
            EventPublisher events,
            Revocations revocations,
            RevocationListener revocationListener,
            ScheduledExecutorService scheduler,
            Settings settings,
            Function<ControlCommands.Node, RemoteControl> remoteControl) {
        this.broker = broker;
        this.consumers = List.copyOf(consumers);
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
            for (QueueConsumer consumer : consumers) {
                consumer.start(connection);
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
        Thread.ofPlatform().name("celeriac-recycle").start(() -> {
            int code = context instanceof ConfigurableApplicationContext configurable
                    ? SpringApplication.exit(configurable, () -> RECYCLE_EXIT_CODE)
                    : RECYCLE_EXIT_CODE;
            System.exit(code);
        });
    }
}
