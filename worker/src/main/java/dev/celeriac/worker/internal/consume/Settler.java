package dev.celeriac.worker.internal.consume;

import static dev.celeriac.worker.internal.consume.TaskEvents.attempt;
import static dev.celeriac.worker.internal.consume.TaskEvents.celeryException;
import static dev.celeriac.worker.internal.consume.TaskEvents.etaText;
import static dev.celeriac.worker.internal.consume.TaskEvents.withRun;

import dev.celeriac.producer.amqp.ConfirmedPublisher;
import dev.celeriac.protocol.canvas.CanvasMessages;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.names.EventFields;
import dev.celeriac.protocol.names.MessageHeaders;
import dev.celeriac.protocol.names.MetricNames;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.worker.internal.deadletter.DeadLetterPublisher;
import dev.celeriac.worker.internal.deadletter.DeadLetterReason;
import dev.celeriac.worker.internal.events.EventPublisher;
import dev.celeriac.worker.internal.metrics.WorkerMetrics;
import dev.celeriac.worker.internal.results.ResultReplies;
import dev.celeriac.worker.internal.retry.DelayPublisher;
import dev.celeriac.worker.internal.workflow.Continuations;
import dev.celeriac.worker.ratelimit.Parking;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageBuilder;

/**
 * The last step of a delivery: turns its {@link Outcome} into the publishes it needs, in their order (a retry or a
 * dead letter, the sender's result reply, the task event the ledger reads), has them confirmed and the delivery
 * acked by {@link AckLast}, and counts the outcome once it is acked.
 */
final class Settler {

    private static final Logger log = LoggerFactory.getLogger(Settler.class);

    /** What settles, and how patiently. */
    record Publishers(
            ConfirmedPublisher publisher,
            EventPublisher events,
            ResultReplies replies,
            DeadLetterPublisher deadLetters,
            DelayPublisher delays,
            Parking parking,
            Continuations continuations,
            Duration publishTimeout) {}

    private final AckLast ackLast;
    private final Publishers p;
    private final WorkerMetrics metrics;

    Settler(AckLast ackLast, Publishers publishers, WorkerMetrics metrics) {
        this.ackLast = ackLast;
        this.p = publishers;
        this.metrics = metrics;
    }

    /**
     * Publishes what {@code outcome} needs, confirmed, then acks {@code delivery}.
     *
     * @param queue the work queue the delivery came from
     * @param message the message as it was delivered
     * @return whether the delivery was acked; if not, it went back to its queue
     */
    boolean settle(Outcome outcome, String queue, Message message, AckLast.Held delivery) {
        return switch (outcome) {
            case Outcome.Success ok -> succeeded(ok, queue, delivery);
            case Outcome.Retry retry -> retried(retry, queue, delivery);
            case Outcome.Failure failure -> failed(failure, queue, message, delivery);
            case Outcome.Rejected rejected -> rejected(rejected, queue, message, delivery);
            case Outcome.Revoked revoked -> revoked(revoked, queue, delivery);
            case Outcome.Deferred deferred ->
                ackLast.settle(
                        deferred.task().id(),
                        "the delay",
                        delivery,
                        List.of(AckLast.Publish.awaited(
                                () -> p.delays().defer(deferred.task().id(), message, queue, deferred.remaining()))));
            case Outcome.Throttled throttled -> {
                boolean acked = ackLast.settle(
                        throttled.task().id(),
                        "the wait for the rate limit",
                        delivery,
                        List.of(AckLast.Publish.awaited(
                                () -> p.delays().defer(throttled.task().id(), message, queue, throttled.delay()))));
                if (acked) {
                    metrics.throttled(throttled.task().task(), queue, MetricNames.SCOPE_WORKER);
                }
                yield acked;
            }
            case Outcome.Parked parked -> {
                TaskMessage task = parked.task();
                boolean acked = ackLast.settle(
                        task.id(),
                        "the wait for the global rate limit",
                        delivery,
                        List.of(AckLast.Publish.awaited(
                                () -> p.parking().park(task.id(), task.task(), message, queue))));
                if (acked) {
                    metrics.throttled(task.task(), queue, MetricNames.SCOPE_GLOBAL);
                }
                yield acked;
            }
            case Outcome.Quarantined q -> quarantined(queue, message, delivery);
            case Outcome.HandedBack back ->
                moved(back.fromQuarantine() ? TopologyNames.suspectQueue(queue) : queue, message, Map.of(), delivery);
        };
    }

    private boolean succeeded(Outcome.Success ok, String queue, AckLast.Held delivery) {
        TaskMessage task = ok.task();
        var succeeded = new TaskEvent.Succeeded(
                p.events().source(),
                task.id(),
                ok.result() == null ? "null" : ok.result().toString(),
                ok.runtime().toNanos() / 1e9,
                attempt(task));
        boolean acked = ackLast.settle(
                task.id(),
                "the outcome",
                delivery,
                with(
                        continued(p.continuations().afterSuccess(task, ok.result())),
                        reply(() -> p.replies().success(task, ok.result())),
                        event(task.id(), succeeded)));
        if (acked) {
            metrics.completed(task.task(), queue, MetricNames.OUTCOME_SUCCESS, ok.runtime());
        }
        return acked;
    }

    private boolean retried(Outcome.Retry retry, String queue, AckLast.Held delivery) {
        TaskMessage task = retry.task();
        String traceback = DeadLetterPublisher.traceback(retry.failure());
        var retried = new TaskEvent.Retried(
                p.events().source(),
                task.id(),
                celeryException(retry.failure()),
                traceback,
                withRun(
                        task,
                        Map.of(
                                EventFields.RETRIES,
                                retry.next().headers().retries(),
                                EventFields.ETA,
                                etaText(retry.next()))));
        boolean acked = ackLast.settle(
                task.id(),
                "the retry",
                delivery,
                List.of(
                        AckLast.Publish.awaited(() -> p.delays().retry(retry.next(), queue, retry.delay())),
                        reply(() -> p.replies().failure(task, true, retry.failure(), traceback)),
                        event(task.id(), retried)));
        if (acked) {
            metrics.retried(task.task(), queue);
            metrics.completed(task.task(), queue, MetricNames.OUTCOME_RETRY, retry.runtime());
        }
        return acked;
    }

    private boolean failed(Outcome.Failure failure, String queue, Message message, AckLast.Held delivery) {
        TaskMessage task = failure.task();
        String reason = failure.reason().wireName();
        String traceback = DeadLetterPublisher.traceback(failure.failure());
        int retries = task.headers().retries();
        var failed = new TaskEvent.Failed(
                p.events().source(),
                task.id(),
                celeryException(failure.failure()),
                traceback,
                withRun(task, Map.of(EventFields.REASON, reason, EventFields.RETRIES, retries)));
        boolean acked = ackLast.settle(
                task.id(),
                "the dead letter",
                delivery,
                with(
                        List.of(AckLast.Publish.awaited(() -> p.deadLetters()
                                .publish(
                                        task.id(),
                                        message,
                                        queue,
                                        failure.reason(),
                                        failure.failure(),
                                        null,
                                        retries + 1))),
                        continued(p.continuations().afterFailure(task)),
                        reply(() -> p.replies().failure(task, false, failure.failure(), traceback)),
                        event(task.id(), failed)));
        if (acked) {
            metrics.deadLettered(task.task(), queue, reason);
            metrics.completed(task.task(), queue, MetricNames.OUTCOME_FAILURE, failure.runtime());
        }
        return acked;
    }

    private boolean rejected(Outcome.Rejected reject, String queue, Message message, AckLast.Held delivery) {
        String id = reject.id();
        var rejected = new TaskEvent.Rejected(
                p.events().source(),
                id,
                false,
                Map.of(EventFields.REASON, reject.reason().wireName(), EventFields.DETAIL, reject.detail()));
        boolean acked = ackLast.settle(
                id,
                "the dead letter",
                delivery,
                List.of(
                        AckLast.Publish.awaited(() ->
                                p.deadLetters().publish(id, message, queue, reject.reason(), null, reject.detail(), 0)),
                        reply(() -> reject.reason() == DeadLetterReason.UNKNOWN_TASK
                                ? p.replies().notRegistered(reject.task())
                                : ResultReplies.Reply.NONE),
                        event(id, rejected)));
        if (acked) {
            metrics.deadLettered(reject.name(), queue, reject.reason().wireName());
            log.warn("dead-lettered message {} from queue '{}': {}", id, queue, reject.detail());
        }
        return acked;
    }

    private boolean revoked(Outcome.Revoked revoked, String queue, AckLast.Held delivery) {
        TaskMessage task = revoked.task();
        boolean terminated = revoked.why() == Revocation.TERMINATED;
        var event = new TaskEvent.Revoked(
                p.events().source(),
                task.id(),
                terminated,
                terminated ? "SIGTERM" : null,
                revoked.why() == Revocation.EXPIRED,
                attempt(task));
        boolean acked = ackLast.settle(
                task.id(),
                "the revocation",
                delivery,
                List.of(reply(() -> p.replies().revoked(task, revoked.why().reply())), event(task.id(), event)));
        if (acked) {
            metrics.revoked(task.task(), queue);
            metrics.completed(task.task(), queue, MetricNames.OUTCOME_REVOKED, revoked.runtime());
        }
        return acked;
    }

    /** Moves a delivery that came back unsettled to its queue's quarantine, counting how often it came back. */
    private boolean quarantined(String queue, Message message, AckLast.Held delivery) {
        Map<String, Object> headers = message.getMessageProperties().getHeaders();
        long before = headers.get(MessageHeaders.UNSETTLED_DELIVERIES) instanceof Number n ? n.longValue() : 0;
        long returned = headers.get(MessageHeaders.DELIVERY_COUNT) instanceof Number n ? n.longValue() : 1;
        String quarantine = TopologyNames.suspectQueue(queue);
        boolean acked = moved(
                quarantine,
                message,
                Map.of(MessageHeaders.UNSETTLED_DELIVERIES, before + Math.max(1, returned)),
                delivery);
        if (acked) {
            String task = String.valueOf(headers.getOrDefault(MessageHeaders.TASK, "(unknown)"));
            metrics.quarantined(task, queue);
            log.warn(
                    "task {} ({}) came back unsettled from an earlier delivery; it runs alone from '{}'",
                    messageId(message),
                    task,
                    quarantine);
        }
        return acked;
    }

    /**
     * Publishes a copy of a delivery's message straight to {@code queue}, without the broker's delivery count and with
     * {@code headers} set, then acks the delivery.
     */
    private boolean moved(String queue, Message message, Map<String, Object> headers, AckLast.Held delivery) {
        String id = messageId(message);
        var copy = MessageBuilder.fromClonedMessage(message).removeHeader(MessageHeaders.DELIVERY_COUNT);
        headers.forEach(copy::setHeader);
        Message moved = copy.build();
        return ackLast.settle(
                id,
                "the move to '" + queue + "'",
                delivery,
                List.of(AckLast.Publish.awaited(
                        () -> p.publisher().sendAndWait(id, "", queue, queue, moved, p.publishTimeout()))));
    }

    /**
     * What a finished task's workflow sends next: the definitions of the chords it starts, then its messages, each
     * published and announced to the ledger with its task-sent event; their confirms are awaited with the outcome's.
     */
    private List<AckLast.Publish> continued(CanvasMessages.Launch next) {
        var publishes = new ArrayList<AckLast.Publish>(
                next.chords().size() + next.messages().size());
        for (CanvasMessages.ChordStart chord : next.chords()) {
            publishes.add(() -> {
                ConfirmedPublisher.Pending pending =
                        p.continuations().define(chord, p.events().source());
                return () -> pending.await(p.publishTimeout());
            });
        }
        for (CanvasMessages.Outgoing step : next.messages()) {
            publishes.add(() -> {
                ConfirmedPublisher.Pending pending = p.continuations().publish(step);
                p.events()
                        .send(
                                step.message().id(),
                                Continuations.sent(step, p.events().source()));
                return () -> pending.await(p.publishTimeout());
            });
        }
        return publishes;
    }

    /** Publishes in order: those of {@code first}, then {@code rest}. */
    private static List<AckLast.Publish> with(List<AckLast.Publish> first, AckLast.Publish... rest) {
        var all = new ArrayList<AckLast.Publish>(first.size() + rest.length);
        all.addAll(first);
        all.addAll(List.of(rest));
        return all;
    }

    private static List<AckLast.Publish> with(
            List<AckLast.Publish> first, List<AckLast.Publish> second, AckLast.Publish... rest) {
        var all = new ArrayList<AckLast.Publish>(first);
        all.addAll(second);
        all.addAll(List.of(rest));
        return all;
    }

    /** A task event, sent and confirmed; sent again if the broker refused it. */
    private AckLast.Publish event(String id, TaskEvent event) {
        return AckLast.Publish.awaited(() -> p.events().sendAndWait(id, event));
    }

    /** A result reply to the task's sender (when it waits for one), on its way while the next publishes go. */
    private static AckLast.Publish reply(Supplier<ResultReplies.Reply> reply) {
        return () -> reply.get()::await;
    }

    /** The task id of a message, from its headers or its correlation id. */
    private static String messageId(Message message) {
        var properties = message.getMessageProperties();
        return String.valueOf(properties.getHeaders().getOrDefault(MessageHeaders.ID, properties.getCorrelationId()));
    }
}
