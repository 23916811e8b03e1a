package dev.celeriac.producer.tracing;

import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.names.MessageHeaders;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The observations of a task's life, through Micrometer's Observation API, so that with a tracer (OpenTelemetry
 * through Micrometer Tracing) a REST submit, the publish, the worker's run and a retry's publish are spans of one
 * trace. The trace context travels in the task message's headers as W3C {@code traceparent} and {@code tracestate},
 * where Celery's OpenTelemetry instrumentation puts and looks for it, so traces cross Python and Java too. With
 * {@link #OFF} nothing is observed, at no cost.
 */
public final class TaskObservations {

    /** No observations. */
    public static final TaskObservations OFF = new TaskObservations(ObservationRegistry.NOOP);

    /** Name of the observation of a task publish (a producer span). */
    public static final String PUBLISH = "celeriac.publish";
    /** Name of the observation of a task run on a worker (a consumer span). */
    public static final String RUN = "celeriac.run";
    /** Low-cardinality key of the task name. */
    public static final String TASK = "celeriac.task";
    /** Low-cardinality key of the work queue. */
    public static final String QUEUE = "celeriac.queue";
    /** High-cardinality key of the task id. */
    public static final String TASK_ID = "celeriac.task.id";

    /** The remote service of both kinds of span. */
    private static final String BROKER = "rabbitmq";

    private final ObservationRegistry registry;

    public TaskObservations(ObservationRegistry registry) {
        this.registry = registry;
    }

    /** Whether anything is observed. */
    public boolean enabled() {
        return !registry.isNoop();
    }

    /**
     * Starts the observation of publishing a task, a child of {@code parent} if given, else of the current one; the
     * tracer writes its context into {@code headers}, which the caller puts on the message.
     *
     * @param headers the message headers the trace context goes into
     */
    public Observation publish(String task, String id, String queue, Map<String, Object> headers, Observation parent) {
        if (!enabled()) {
            return Observation.NOOP;
        }
        return Observation.createNotStarted(
                        PUBLISH,
                        () -> {
                            var context = new SenderContext<Map<String, Object>>(Map::put);
                            context.setCarrier(headers);
                            context.setRemoteServiceName(BROKER);
                            return context;
                        },
                        registry)
                .contextualName("publish " + task)
                .parentObservation(parent)
                .lowCardinalityKeyValue(TASK, task)
                .lowCardinalityKeyValue(QUEUE, queue)
                .highCardinalityKeyValue(TASK_ID, id)
                .start();
    }

    /**
     * Starts the observation of running a task, a child of the trace context its message carries.
     *
     * @param headers the delivered message's headers
     */
    public Observation run(String task, String id, String queue, Map<String, Object> headers) {
        if (!enabled()) {
            return Observation.NOOP;
        }
        return Observation.createNotStarted(
                        RUN,
                        () -> {
                            var context = new ReceiverContext<Map<String, Object>>((carrier, key) -> {
                                Object value = carrier.get(key);
                                return value == null ? null : value.toString();
                            });
                            context.setCarrier(headers);
                            context.setRemoteServiceName(BROKER);
                            return context;
                        },
                        registry)
                .contextualName("run " + task)
                .lowCardinalityKeyValue(TASK, task)
                .lowCardinalityKeyValue(QUEUE, queue)
                .highCardinalityKeyValue(TASK_ID, id)
                .start();
    }

    /** A task message with the trace context of its publish in its headers, and the publish's observation. */
    public record Traced(TaskMessage message, Observation observation) {}

    /**
     * Starts the observation of publishing {@code message} and writes its trace context into the message's headers,
     * over any the message carried (a retry's publish is a child of the run that failed, not of the first publish).
     *
     * @param parent the observation the publish is part of, or {@code null} for the current one
     */
    public Traced publishing(TaskMessage message, String queue, Observation parent) {
        if (!enabled()) {
            return new Traced(message, Observation.NOOP);
        }
        var trace = new LinkedHashMap<String, Object>();
        Observation publish = publish(message.task(), message.id(), queue, trace, parent);
        if (trace.isEmpty()) {
            return new Traced(message, publish);
        }
        var extra = new LinkedHashMap<>(message.headers().extra());
        extra.remove(MessageHeaders.TRACESTATE);
        extra.putAll(trace);
        return new Traced(
                new TaskMessage(
                        message.properties(),
                        message.headers().toBuilder().extra(extra).build(),
                        message.body()),
                publish);
    }
}
