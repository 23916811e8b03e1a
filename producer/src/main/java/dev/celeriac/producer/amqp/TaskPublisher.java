package dev.celeriac.producer.amqp;

import dev.celeriac.producer.PublishConnectionException;
import dev.celeriac.producer.PublishNackedException;
import dev.celeriac.producer.PublishReturnedException;
import dev.celeriac.producer.PublishTimeoutException;
import dev.celeriac.producer.TaskHandle;
import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.protocol.message.EncodedMessage;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.message.TaskMessageCodec;
import dev.celeriac.protocol.names.MetricNames;
import dev.celeriac.protocol.names.TopologyNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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

    /** A validated task request as its message, ready to be kept and published. */
    public record Prepared(TaskMessage message, String queue, EncodedMessage encoded) {
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
    private final Clock clock;

    public TaskPublisher(
            ConfirmedPublisher publisher,
            TaskMessageCodec codec,
            String defaultQueue,
            String origin,
            Duration confirmTimeout,
            MeterRegistry meters,
            Clock clock) {
        this.publisher = publisher;
        this.codec = codec;
        this.factory = new TaskMessageFactory(codec.mapper(), codec.limits(), defaultQueue, origin);
        this.confirmTimeout = confirmTimeout;
        this.meters = meters;
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
        TaskMessage message = factory.build(request, clock.instant());
        return new Prepared(message, factory.queueOf(request), codec.encode(message));
    }

    /** A publish on its way: {@link #await} gives the broker's verdict. */
    public final class Sent {
        private final String id;
        private final String task;
        private final String queue;
        private final Instant eta;
        private final ConfirmedPublisher.Pending pending;

        private Sent(String id, String task, String queue, Instant eta, ConfirmedPublisher.Pending pending) {
            this.id = id;
            this.task = task;
            this.queue = queue;
            this.eta = eta;
            this.pending = pending;
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
                throw e;
            }
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
        return publish(message.id(), message.task(), message.headers().eta(), prepared.queue(), prepared.encoded());
    }

    /**
     * Publishes a task message that was prepared (and kept) before.
     *
     * @param eta the task's ETA, for its handle, or {@code null}
     * @throws PublishConnectionException if it could not be sent at all
     */
    public Sent publish(String id, String task, Instant eta, String queue, EncodedMessage encoded) {
        try {
            return new Sent(
                    id,
                    task,
                    queue,
                    eta,
                    publisher.send(id, TopologyNames.TASK_EXCHANGE, queue, queue, AmqpTaskMessages.toMessage(encoded)));
        } catch (PublishConnectionException e) {
            count(task, queue, "connection_error");
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
