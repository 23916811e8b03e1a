package dev.celeriac.api.config;

import dev.celeriac.api.deadletters.DeadLetterCollector;
import dev.celeriac.api.deadletters.DeadLetterStore;
import dev.celeriac.api.internal.idempotency.IdempotencyStore;
import dev.celeriac.api.internal.ledger.ArgumentSearchMigration;
import dev.celeriac.api.internal.ledger.HistoryMigration;
import dev.celeriac.api.internal.ledger.LedgerDialect;
import dev.celeriac.api.internal.ledger.TaskCompletions;
import dev.celeriac.api.internal.ledger.TaskProjection;
import dev.celeriac.api.internal.ledger.TaskStore;
import dev.celeriac.api.internal.metrics.ApiMetrics;
import dev.celeriac.api.internal.outbox.OutboxRelay;
import dev.celeriac.api.internal.outbox.OutboxStore;
import dev.celeriac.api.internal.recorder.EventRecorder;
import dev.celeriac.api.internal.retention.LedgerCleanup;
import dev.celeriac.api.internal.schedule.FireStore;
import dev.celeriac.api.internal.workflow.ChordJoins;
import dev.celeriac.api.internal.workflow.ChordStore;
import dev.celeriac.api.problems.BodyLimitFilter;
import dev.celeriac.api.query.QuerySettings;
import dev.celeriac.api.queues.QueuePurger;
import dev.celeriac.api.queues.QueueStatistics;
import dev.celeriac.api.revoke.RevocationAnnouncer;
import dev.celeriac.api.revoke.RevocationStore;
import dev.celeriac.api.revoke.TaskRevoker;
import dev.celeriac.api.schedules.DeclaredSchedules;
import dev.celeriac.api.submit.Resubmitter;
import dev.celeriac.api.submit.SubmitPipeline;
import dev.celeriac.api.submit.SubmitPreparer;
import dev.celeriac.api.submit.SubmitSettings;
import dev.celeriac.api.workers.WorkerControl;
import dev.celeriac.api.workers.WorkerRegistry;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.amqp.BrokerConnections;
import dev.celeriac.producer.amqp.ConfirmedPublisher;
import dev.celeriac.producer.amqp.ConsumerConnections;
import dev.celeriac.producer.amqp.RevocationPublisher;
import dev.celeriac.producer.amqp.TaskPublisher;
import dev.celeriac.producer.autoconfigure.NodeNames;
import dev.celeriac.producer.autoconfigure.ProducerProperties;
import dev.celeriac.producer.topology.TopologyProperties;
import dev.celeriac.producer.tracing.TaskObservations;
import dev.celeriac.protocol.event.EventCodec;
import dev.celeriac.protocol.message.CodecLimits;
import dev.celeriac.protocol.message.TaskMessageCodec;
import dev.celeriac.protocol.topology.WorkQueue;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jackson.autoconfigure.JsonFactoryBuilderCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.json.JsonMapper;

/** Wires the ledger, the recorder, the submit pipeline and the JSON mapper of the API. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ApiProperties.class)
public class ApiConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** The one set of JSON limits: the worker's codec enforces them, the API checks submits against them. */
    @Bean
    CodecLimits celeriacCodecLimits(TaskMessageCodec codec) {
        return codec.limits();
    }

    /**
     * Request bodies are read within the same limits, and a key given twice (two {@code task}s, say) is refused
     * instead of the last one silently winning.
     */
    @Bean
    JsonFactoryBuilderCustomizer celeriacRequestLimits(CodecLimits limits) {
        return factory -> factory.streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxNestingDepth())
                        .maxStringLength(limits.maxStringLength())
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    }

    @Bean
    FilterRegistrationBean<BodyLimitFilter> bodyLimit(ApiProperties properties) {
        var registration = new FilterRegistrationBean<>(new BodyLimitFilter(properties.maxBodyBytes()));
        registration.addUrlPatterns("/api/*");
        return registration;
    }

    /** Migration 7 (the history moved into each task's row); Boot's Flyway runs it after the SQL migrations before. */
    @Bean
    HistoryMigration celeriacHistoryMigration() {
        return new HistoryMigration();
    }

    /** Migration 10 (the trigram index of the argument search, on PostgreSQL). */
    @Bean
    ArgumentSearchMigration celeriacArgumentSearchMigration() {
        return new ArgumentSearchMigration();
    }

    @Bean
    WorkerRegistry workerRegistry(JdbcTemplate jdbc, JsonMapper json) {
        return new WorkerRegistry(jdbc, json);
    }

    @Bean
    TaskProjection taskProjection(ApiProperties properties) {
        return new TaskProjection(properties.resultLimit());
    }

    @Bean
    TaskStore taskStore(JdbcTemplate jdbc, DataSource dataSource, Clock clock) {
        return new TaskStore(JdbcClient.create(jdbc), LedgerDialect.of(dataSource), clock);
    }

    @Bean
    IdempotencyStore idempotencyStore(JdbcTemplate jdbc) {
        return new IdempotencyStore(JdbcClient.create(jdbc));
    }

    @Bean
    OutboxStore outboxStore(JdbcTemplate jdbc, JsonMapper json) {
        return new OutboxStore(jdbc, json);
    }

    @Bean
    RevocationStore revocationStore(JdbcTemplate jdbc) {
        return new RevocationStore(JdbcClient.create(jdbc));
    }

    @Bean
    LedgerCleanup ledgerCleanup(
            TaskStore tasks,
            IdempotencyStore keys,
            RevocationStore revocations,
            FireStore fires,
            ApiProperties properties,
            Clock clock) {
        return new LedgerCleanup(
                tasks,
                keys,
                revocations,
                fires,
                properties.resultTtl(),
                properties.revocationHorizon(),
                properties.cleanupInterval(),
                clock);
    }

    @Bean
    TaskCompletions taskCompletions() {
        return new TaskCompletions();
    }

    @Bean
    ConfirmedPublisher celeriacConfirmedPublisher(ConnectionFactory connectionFactory, BrokerConnections broker) {
        return new ConfirmedPublisher(connectionFactory, broker);
    }

    /** What the API publishes tasks with: its own confirmed publisher, the producer's queue and confirm settings. */
    @Bean
    TaskPublisher celeriacTaskPublisher(
            ConfirmedPublisher publisher,
            TaskMessageCodec codec,
            ProducerProperties producer,
            MeterRegistry meters,
            TaskObservations observations,
            Clock clock) {
        String origin = producer.origin() != null ? producer.origin() : "celeriac-api@" + hostname();
        return new TaskPublisher(
                publisher,
                codec,
                producer.defaultQueue(),
                origin,
                producer.confirmTimeout(),
                meters,
                observations,
                clock);
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    @Bean
    RevocationPublisher celeriacRevocationPublisher(
            ConfirmedPublisher publisher, TaskMessageCodec codec, ProducerProperties producer) {
        return new RevocationPublisher(publisher, codec.mapper(), producer.confirmTimeout());
    }

    @Bean
    OutboxRelay outboxRelay(
            OutboxStore outbox,
            TaskStore tasks,
            TaskPublisher publisher,
            TransactionTemplate transactions,
            ApiProperties properties,
            DataSource dataSource,
            MeterRegistry meters,
            Clock clock) {
        if (properties.outboxGrace().compareTo(publisher.confirmTimeout()) <= 0) {
            throw new IllegalStateException("celeriac.api.outbox-grace (" + properties.outboxGrace()
                    + ") must be longer than celeriac.producer.confirm-timeout (" + publisher.confirmTimeout()
                    + "): a message still awaiting its confirm would be published twice");
        }
        return new OutboxRelay(
                outbox,
                tasks,
                publisher,
                transactions,
                clock,
                properties.outboxGrace(),
                properties.outboxInterval(),
                LedgerDialect.of(dataSource),
                meters);
    }

    @Bean
    RevocationAnnouncer revocationAnnouncer(
            RevocationStore store, RevocationPublisher publisher, ApiProperties properties, Clock clock) {
        return new RevocationAnnouncer(store, publisher::publish, properties.revocationHorizon(), clock);
    }

    @Bean
    TaskRevoker taskRevoker(RevocationStore store, RevocationAnnouncer announcer, TaskClient client, Clock clock) {
        return new TaskRevoker(store, announcer, client, clock);
    }

    @Bean
    QuerySettings querySettings(ApiProperties properties) {
        return new QuerySettings(properties.waitRecheck());
    }

    @Bean
    SubmitSettings submitSettings(ApiProperties properties) {
        return new SubmitSettings(properties.allowUnknownTasks());
    }

    @Bean
    FireStore fireStore(JdbcTemplate jdbc) {
        return new FireStore(JdbcClient.create(jdbc));
    }

    @Bean
    SubmitPipeline submitPipeline(
            TaskStore tasks,
            OutboxStore outbox,
            IdempotencyStore keys,
            FireStore fires,
            TaskPublisher publisher,
            TransactionTemplate transactions,
            ApiProperties properties,
            Clock clock) {
        return new SubmitPipeline(
                tasks, outbox, keys, fires, publisher, transactions, clock, properties.submitBatchSize());
    }

    @Bean
    SubmitPreparer submitPreparer(
            TaskPublisher publisher,
            WorkerRegistry workers,
            CodecLimits limits,
            SubmitSettings settings,
            JsonMapper json,
            Clock clock) {
        return new SubmitPreparer(publisher, workers, limits, settings, json, clock);
    }

    @Bean
    Resubmitter resubmitter(
            SubmitPipeline pipeline, SubmitPreparer preparer, TaskPublisher publisher, JsonMapper json) {
        return new Resubmitter(pipeline, preparer, publisher, json);
    }

    @Bean
    DeadLetterStore deadLetterStore(JdbcTemplate jdbc, JsonMapper json) {
        return new DeadLetterStore(jdbc, json);
    }

    /**
     * The broker connections of the API's own consumers (recorder, dead-letter collector), recovering to any node. The
     * queues they consume must exist before they connect, so the topology is declared here, once.
     */
    @Bean
    ConsumerBroker celeriacConsumerConnections(BrokerConnections broker, AmqpAdmin admin) {
        ConsumerConnections.declareTopology(admin);
        return new ConsumerBroker(broker);
    }

    /** Celery's remote control of the workers, on a connection of its own (closed with the context). */
    @Bean
    WorkerControl celeriacWorkerControl(BrokerConnections broker, JsonMapper json) {
        return new WorkerControl(broker, json);
    }

    /** The broker of the API's own consumers, once the queues they consume are declared. */
    record ConsumerBroker(BrokerConnections connections) {}

    @Bean
    DeadLetterCollector deadLetterCollector(
            ConsumerBroker celeriacConsumerConnections,
            TopologyProperties topologyProperties,
            DeadLetterStore store,
            TaskStore tasks,
            TaskProjection projection,
            TransactionTemplate transactions,
            Clock clock) {
        return new DeadLetterCollector(
                celeriacConsumerConnections.connections(),
                topologyProperties.workQueues().stream().map(WorkQueue::name).toList(),
                store,
                tasks,
                projection,
                transactions,
                clock);
    }

    @Bean
    ChordStore chordStore(JdbcTemplate jdbc, JsonMapper json) {
        return new ChordStore(JdbcClient.create(jdbc), json);
    }

    /** Chords' joins, decided as their header tasks finish, and a sweep for any two API instances left undecided. */
    @Bean
    ChordJoins chordJoins(
            ChordStore chords,
            TaskStore tasks,
            OutboxStore outbox,
            OutboxRelay relay,
            TaskPublisher publisher,
            TransactionTemplate transactions,
            ProducerProperties producer,
            ApiProperties properties,
            Clock clock) {
        return new ChordJoins(
                chords,
                tasks,
                outbox,
                relay,
                publisher,
                transactions,
                producer.defaultQueue(),
                NodeNames.of("api"),
                clock,
                properties.chordSweep());
    }

    @Bean
    EventRecorder eventRecorder(
            ConsumerBroker celeriacConsumerConnections,
            TaskStore tasks,
            TaskProjection projection,
            TaskCompletions completions,
            WorkerRegistry workers,
            ChordStore chords,
            ChordJoins joins,
            TransactionTemplate transactions,
            TaskMessageCodec codec,
            ApiProperties properties,
            DeclaredSchedules declaredSchedules,
            MeterRegistry meters) {
        var recorder = new EventRecorder(
                celeriacConsumerConnections.connections(),
                tasks,
                projection,
                completions,
                workers,
                chords,
                joins,
                transactions,
                new EventCodec(codec.mapper()),
                declaredSchedules::declare,
                properties.recorderBatchSize());
        recorder.bindTo(meters);
        return recorder;
    }

    @Bean
    QueueStatistics queueStatistics(
            TopologyProperties topology,
            AmqpAdmin admin,
            DeadLetterStore deadLetters,
            WorkerRegistry workers,
            Clock clock) {
        return new QueueStatistics(
                topology.workQueues().stream().map(WorkQueue::name).toList(), admin, deadLetters, workers, clock);
    }

    @Bean
    QueuePurger queuePurger(
            BrokerConnections broker,
            TaskProjection projection,
            TaskStore tasks,
            TaskCompletions completions,
            TransactionTemplate transactions,
            Clock clock) {
        return new QueuePurger(broker, projection, tasks, completions, transactions, clock);
    }

    @Bean
    ApiMetrics apiMetrics(MeterRegistry meters, QueueStatistics statistics) {
        return new ApiMetrics(meters, statistics);
    }
}
