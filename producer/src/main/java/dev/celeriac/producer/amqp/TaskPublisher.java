package dev.celeriac.producer.amqp;

import dev.celeriac.producer.PublishConnectionException;
import dev.celeriac.producer.PublishNackedException;
import dev.celeriac.producer.PublishReturnedException;
import dev.celeriac.producer.PublishTimeoutException;
import dev.celeriac.producer.TaskHandle;
import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.producer.tracing.TaskObservations;
import dev.celeriac.protocol.message.EncodedMessage;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.message.TaskMessageCodec;
import dev.celeriac.protocol.names.MetricNames;
import dev.celeriac.protocol.names.TopologyNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Builds the protocol message of a task request and publishes task messages with confirms, counting each outcome.
 * The {@link dev.celeriac.producer.TaskClient} publishes through it; so does a component that keeps what it
 * publishes until the broker confirmed it (the API's outbox), which needs the encoded message before it is sent.
 */
public final class TaskPublisher {

    /**
     * A validated task request as its message, ready to be kept and published.
     *
     * @param observation the observation of its publish, started when it was prepared (so that it is a child of what
     *     was current then, such as a REST request), stopped once the broker has answered
     */
    public record Prepared(TaskMessage message, String queue, EncodedMessage encoded, Observation observation) {
        /** The task id. */
        public String id() {
            return message.id();
        }
    }

    /** Histogram buckets of the confirm timer, so Prometheus can tell its percentiles across producers. */
    private static final Duration[] CONFIRM_BUCKETS = {
        Duration.ofNanos(500_000),
        Duration.ofMillis(1),
        Duration.ofMillis(2),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofSeconds(5)
    };

    private final ConfirmedPublisher publisher;
    private final TaskMessageCodec codec;
    private final TaskMessageFactory factory;
    private final Duration confirmTimeout;
    private final MeterRegistry meters;
    private final TaskObservations observations;
    private final Clock clock;

    public TaskPublisher(
            ConfirmedPublisher publisher,
            TaskMessageCodec codec,
            String defaultQueue,
            String origin,
            Duration confirmTimeout,
            MeterRegistry meters,
            TaskObservations observations,
            Clock clock) {
        this.publisher = publisher;
        this.codec = codec;
        this.factory = new TaskMessageFactory(codec.mapper(), codec.limits(), defaultQueue, origin);
        this.confirmTimeout = confirmTimeout;
        this.meters = meters;
        this.observations = observations;
        this.clock = clock;
    }

    /** How long a publish waits for the broker's confirm. */
    public Duration confirmTimeout() {
        return confirmTimeout;
    }

    /**
     * Validates a request and builds its message.
     *
     * @throws IllegalArgumentException if the task name, queue, an option or an argument is invalid
     */
    public Prepared prepare(TaskRequest request) {
        String queue = factory.queueOf(request);
        var traced = observations.publishing(factory.build(request, clock.instant()), queue, null);
        return new Prepared(traced.message(), queue, codec.encode(traced.message()), traced.observation());
    }

    /**
     * Validates a task message built elsewhere (a workflow's first step) and prepares it for {@code queue}.
     *
     * @throws IllegalArgumentException if its arguments are beyond what a worker's codec takes
     */
    public Prepared prepare(TaskMessage message, String queue) {
        String refused = codec.limits().argumentProblem("args", message.body().args());
        if (refused == null) {
            refused = codec.limits().argumentProblem("kwargs", message.body().kwargs());
        }
        if (refused != null) {
            throw new IllegalArgumentException(
                    "the arguments of task '" + message.task() + "' cannot be sent: " + refused);
        }
        var traced = observations.publishing(message, queue, null);
        return new Prepared(traced.message(), queue, codec.encode(traced.message()), traced.observation());
    }

    /** A publish on its way: {@link #await} gives the broker's verdict. */
    public final class Sent {
        private final String id;
        private final String task;
        private final String queue;
        private final Instant eta;
        private final ConfirmedPublisher.Pending pending;
        private final Observation observation;

        private Sent(
                String id,
                String task,
                String queue,
                Instant eta,
                ConfirmedPublisher.Pending pending,
                Observation observation) {
            this.id = id;
            this.task = task;
            this.queue = queue;
            this.eta = eta;
            this.pending = pending;
            this.observation = observation;
        }

        /** The task id. */
        public String id() {
            return id;
        }

        /** Completes (normally) once the broker has answered, or the channel failed. */
        public CompletableFuture<Void> settled() {
            return pending.settled();
        }

        /**
         * Waits until the {@link System#nanoTime()} deadline for the broker's confirm.
         *
         * @throws TaskPublishException if the broker did not take the task
         */
        public TaskHandle await(long deadlineNanos) {
            try {
                pending.await(deadlineNanos, confirmTimeout);
            } catch (TaskPublishException e) {
                count(task, queue, outcome(e));
                observation.error(e);
                observation.stop();
                throw e;
            }
            observation.stop();
            Timer.builder(MetricNames.PUBLISH_CONFIRM)
                    .tag(MetricNames.TAG_QUEUE, queue)
                    .serviceLevelObjectives(CONFIRM_BUCKETS)
                    .register(meters)
                    .record(pending.elapsedNanos(), TimeUnit.NANOSECONDS);
            count(task, queue, "accepted");
            return new TaskHandle(id, task, queue, eta, clock.instant());
        }
    }

    /**
     * Publishes a prepared task, persistent and mandatory, to its work queue.
     *
     * @throws PublishConnectionException if it could not be sent at all
     */
    public Sent publish(Prepared prepared) {
        TaskMessage message = prepared.message();
        return publish(
                message.id(),
                message.task(),
                message.headers().eta(),
                prepared.queue(),
                prepared.encoded(),
                prepared.observation());
    }

    /**
     * Publishes a task message that was prepared (and kept) before.
     *
     * @param eta the task's ETA, for its handle, or {@code null}
     * @throws PublishConnectionException if it could not be sent at all
     */
    public Sent publish(String id, String task, Instant eta, String queue, EncodedMessage encoded) {
        return publish(id, task, eta, queue, encoded, Observation.NOOP);
    }

    private Sent publish(
            String id, String task, Instant eta, String queue, EncodedMessage encoded, Observation observation) {
        try {
            return new Sent(
                    id,
                    task,
                    queue,
                    eta,
                    publisher.send(id, TopologyNames.TASK_EXCHANGE, queue, queue, AmqpTaskMessages.toMessage(encoded)),
                    observation);
        } catch (PublishConnectionException e) {
            count(task, queue, "connection_error");
            observation.error(e);
            observation.stop();
            throw e;
        }
    }

    private static String outcome(TaskPublishException e) {
        return switch (e) {
            case PublishReturnedException ignored -> "returned";
            case PublishNackedException ignored -> "nacked";
            case PublishTimeoutException ignored -> "timeout";
            default -> "connection_error";
        };
    }

    private void count(String task, String queue, String outcome) {
        Counter.builder(MetricNames.TASKS_SUBMITTED)
                .tag(MetricNames.TAG_TASK, task)
                .tag(MetricNames.TAG_QUEUE, queue)
                .tag(MetricNames.TAG_OUTCOME, outcome)
                .register(meters)
                .increment();
    }
}
