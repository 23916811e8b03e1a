package dev.celeriac.worker.config;

import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.amqp.BrokerConnections;
import dev.celeriac.producer.amqp.ConfirmedPublisher;
import dev.celeriac.producer.amqp.ConsumerConnections;
import dev.celeriac.producer.autoconfigure.CeleriacProducerAutoConfiguration;
import dev.celeriac.producer.autoconfigure.NodeNames;
import dev.celeriac.producer.autoconfigure.ProducerProperties;
import dev.celeriac.producer.topology.TopologyProperties;
import dev.celeriac.producer.tracing.TaskObservations;
import dev.celeriac.protocol.event.EventCodec;
import dev.celeriac.protocol.message.TaskMessageCodec;
import dev.celeriac.protocol.names.MetricNames;
import dev.celeriac.protocol.topology.Topology;
import dev.celeriac.worker.internal.consume.QueueConsumer;
import dev.celeriac.worker.internal.consume.TaskRunner;
import dev.celeriac.worker.internal.control.ControlCommands;
import dev.celeriac.worker.internal.control.RemoteControl;
import dev.celeriac.worker.internal.control.RevocationListener;
import dev.celeriac.worker.internal.control.Revocations;
import dev.celeriac.worker.internal.deadletter.DeadLetterPublisher;
import dev.celeriac.worker.internal.dispatch.TaskDefinition;
import dev.celeriac.worker.internal.dispatch.TaskInvoker;
import dev.celeriac.worker.internal.dispatch.TaskRegistry;
import dev.celeriac.worker.internal.events.EventPublisher;
import dev.celeriac.worker.internal.metrics.WorkerMetrics;
import dev.celeriac.worker.internal.results.ResultReplies;
import dev.celeriac.worker.internal.retry.DelayPublisher;
import dev.celeriac.worker.internal.retry.FailureClassifier;
import dev.celeriac.worker.internal.schedule.ScheduleDeclarations;
import dev.celeriac.worker.internal.schedule.ScheduleDeclarer;
import dev.celeriac.worker.internal.workflow.Continuations;
import dev.celeriac.worker.internal.workflow.MapTasks;
import dev.celeriac.worker.lifecycle.Worker;
import dev.celeriac.worker.pool.TaskPool;
import dev.celeriac.worker.ratelimit.GlobalRateLimits;
import dev.celeriac.worker.ratelimit.Parking;
import dev.celeriac.worker.ratelimit.RateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.json.JsonMapper;

/**
 * Auto-configuration of a Celeriac worker: every {@code @CeleriacTask} bean method becomes a task, and the queues of
 * {@code celeriac.worker.queues} are consumed into their pools.
 */
@AutoConfiguration(after = CeleriacProducerAutoConfiguration.class)
@ConditionalOnProperty(name = "celeriac.worker.enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(WorkerProperties.class)
public final class CeleriacWorkerAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    static TaskRegistry celeriacTaskRegistry() {
        return new TaskRegistry();
    }

    /** Celery's {@code celery.map} and {@code celery.starmap}, which its {@code chunks} sends. */
    @Bean
    @ConditionalOnMissingBean
    MapTasks celeriacMapTasks(TaskRegistry registry, TaskMessageCodec codec) {
        return new MapTasks(registry, codec.mapper());
    }

    @Bean
    @ConditionalOnMissingBean
    Revocations celeriacRevocations(WorkerProperties properties) {
        return new Revocations(properties.revocationRetention(), Clock.systemUTC());
    }

    /** The rate limits of the task types (configured, declared, or set live by Celery's rate_limit command). */
    @Bean
    @ConditionalOnMissingBean
    RateLimiter celeriacRateLimiter(WorkerProperties properties, WorkerMetrics metrics) {
        return new RateLimiter(
                properties.parsedRateLimits(),
                System::nanoTime,
                (task, limit) -> metrics.rateLimit(task, MetricNames.SCOPE_WORKER, limit.perSecond()));
    }

    @Bean
    @ConditionalOnMissingBean
    WorkerMetrics celeriacWorkerMetrics(ObjectProvider<MeterRegistry> meterRegistry) {
        return new WorkerMetrics(meterRegistry.getIfAvailable(() -> Metrics.globalRegistry));
    }

    /**
     * Limits across the fleet: the parking of a limited task, and this worker's share in releasing the parked ones
     * when it holds a type's lock.
     */
    @Bean
    @ConditionalOnMissingBean
    GlobalRateLimits celeriacGlobalRateLimits(
            WorkerProperties properties,
            TaskRegistry registry,
            BrokerConnections broker,
            @Qualifier("celeriacWorkerPublisher") ConfirmedPublisher publisher,
            WorkerMetrics metrics) {
        return new GlobalRateLimits(
                properties.parsedGlobalRateLimits(),
                () -> registry.all().values().stream()
                        .collect(Collectors.toMap(TaskDefinition::name, TaskDefinition::globalRateLimit)),
                broker,
                new Parking(publisher, properties.publishTimeout(), Clock.systemUTC()),
                metrics,
                hostname(properties));
    }

    /** The tasks' {@code @CeleriacSchedule}s, checked as the beans are created. */
    @Bean
    @ConditionalOnMissingBean
    static ScheduleDeclarations celeriacScheduleDeclarations() {
        return new ScheduleDeclarations(JsonMapper.builder().build());
    }

    /** Declares them to the ledger once the worker is up. */
    @Bean
    @ConditionalOnMissingBean
    ScheduleDeclarer celeriacScheduleDeclarer(
            ScheduleDeclarations declarations,
            @Qualifier("celeriacWorkerPublisher") ConfirmedPublisher publisher,
            TaskMessageCodec codec,
            TaskRunner runner,
            WorkerProperties properties) {
        return new ScheduleDeclarer(
                declarations,
                publisher,
                new EventCodec(codec.mapper()),
                () -> runner.events().source(),
                properties.publishTimeout());
    }

    /** Once every task bean is registered, its counters start at zero on each queue this worker consumes. */
    @Bean
    @ConditionalOnMissingBean(name = "celeriacTaskMeters")
    SmartInitializingSingleton celeriacTaskMeters(
            WorkerProperties properties, TaskRegistry registry, WorkerMetrics metrics) {
        return () -> properties
                .queues()
                .keySet()
                .forEach(queue -> registry.all().keySet().forEach(task -> metrics.serves(task, queue)));
    }

    /**
     * The worker's publisher of outcomes, retries, dead letters and events (closed with the context). It waits out a
     * broker's resource alarm rather than hand back tasks it has already run.
     */
    @Bean
    @ConditionalOnMissingBean(name = "celeriacWorkerPublisher")
    ConfirmedPublisher celeriacWorkerPublisher(ConnectionFactory connectionFactory, BrokerConnections broker) {
        var publisher = new ConfirmedPublisher(connectionFactory, broker);
        publisher.setWaitWhileBlocked(true);
        return publisher;
    }

    @Bean
    @ConditionalOnMissingBean
    TaskRunner celeriacTaskRunner(
            WorkerProperties properties,
            @Qualifier("celeriacWorkerPublisher") ConfirmedPublisher publisher,
            TaskMessageCodec codec,
            TaskRegistry registry,
            TopologyProperties topologyProperties,
            Revocations revocations,
            RateLimiter limiter,
            GlobalRateLimits globalLimits,
            WorkerMetrics metrics,
            TaskObservations observations,
            ProducerProperties producerProperties) {
        String hostname = hostname(properties);
        var events = new EventPublisher(
                publisher,
                new EventCodec(codec.mapper()),
                hostname,
                properties.publishTimeout(),
                properties.taskEvents());
        var services = new TaskRunner.Services(
                codec,
                registry,
                new TaskInvoker(codec.mapper()),
                new FailureClassifier(RandomGenerator.getDefault()),
                publisher,
                events,
                new DeadLetterPublisher(publisher, hostname, properties.publishTimeout(), Clock.systemUTC()),
                new DelayPublisher(publisher, codec, topologyProperties.ladder(), properties.publishTimeout()),
                revocations,
                limiter,
                globalLimits,
                globalLimits.parking(),
                metrics,
                observations,
                new ResultReplies(publisher, codec.mapper(), properties.publishTimeout()),
                new Continuations(publisher, codec, producerProperties.defaultQueue(), hostname, Clock.systemUTC()),
                properties.publishTimeout(),
                Clock.systemUTC());
        return new TaskRunner(
                services,
                Executors.newScheduledThreadPool(
                        1, Thread.ofPlatform().name("celeriac-limits").daemon().factory()),
                Executors.newThreadPerTaskExecutor(
                        Thread.ofVirtual().name("celeriac-outcome-", 0).factory()),
                properties.maxAbandonedThreads());
    }

    @Bean
    @ConditionalOnMissingBean
    Worker celeriacWorker(
            WorkerProperties properties,
            BrokerConnections broker,
            Topology topology,
            TaskRunner runner,
            TaskRegistry registry,
            Revocations revocations,
            TaskMessageCodec codec,
            ObjectProvider<AmqpAdmin> admin,
            WorkerMetrics metrics,
            RateLimiter limiter,
            TaskClient client) {
        properties.queues().keySet().forEach(queue -> {
            if (topology.queues().stream().noneMatch(q -> q.name().equals(queue))) {
                throw new IllegalStateException("celeriac.worker.queues." + queue + " is consumed but not declared:"
                        + " add it to celeriac.topology.queues");
            }
        });
        // A queue remote control adds (add_consumer) gets its configured pool if it has one, else the default pool.
        Function<String, QueueConsumer> consumerFor = queue -> {
            var settings = properties.queues().getOrDefault(queue, WorkerProperties.QueueProperties.DEFAULT);
            var pool = new TaskPool(queue, settings.pool(), settings.slots());
            metrics.pool(queue, pool);
            return new QueueConsumer(queue, pool, settings.lookahead(), runner);
        };
        return new Worker(
                broker,
                List.copyOf(properties.queues().keySet()),
                consumerFor,
                runner,
                registry,
                runner.events(),
                revocations,
                new RevocationListener(
                        revocations, codec.mapper(), properties.revocationRetention(), Clock.systemUTC()),
                Executors.newScheduledThreadPool(
                        1,
                        Thread.ofPlatform().name("celeriac-heartbeat").daemon().factory()),
                new Worker.Settings(
                        properties.shutdownGrace(),
                        properties.heartbeat(),
                        version(),
                        () -> admin.ifAvailable(ConsumerConnections::declareTopology),
                        topology),
                node -> new RemoteControl(
                        new ControlCommands(
                                node, revocations, limiter, ControlCommands.persistingWith(client), Clock.systemUTC()),
                        codec.mapper(),
                        Clock.systemUTC()));
    }

    /** This worker's node name in events, dead-letter headers and remote control. */
    private static String hostname(WorkerProperties properties) {
        return properties.hostname() != null ? properties.hostname() : NodeNames.of("celeriac-");
    }

    private static String version() {
        String version = CeleriacWorkerAutoConfiguration.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
