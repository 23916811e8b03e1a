package dev.celeriac.worker.consume;

import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.producer.amqp.AmqpTaskMessages;
import dev.celeriac.producer.amqp.ConfirmedPublisher;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.message.CeleryTimes;
import dev.celeriac.protocol.message.MalformedMessageException;
import dev.celeriac.protocol.message.TaskHeaders;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.message.TaskMessageCodec;
import dev.celeriac.protocol.message.TimeLimit;
import dev.celeriac.protocol.names.EventFields;
import dev.celeriac.protocol.names.MessageHeaders;
import dev.celeriac.protocol.names.MetricNames;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.protocol.topology.DelayLadder;
import dev.celeriac.protocol.topology.DelayTier;
import dev.celeriac.worker.TaskContext;
import dev.celeriac.worker.TimeLimitExceededException;
import dev.celeriac.worker.control.ActiveTask;
import dev.celeriac.worker.control.Revocations;
import dev.celeriac.worker.deadletter.DeadLetterPublisher;
import dev.celeriac.worker.deadletter.DeadLetterReason;
import dev.celeriac.worker.dispatch.TaskDefinition;
import dev.celeriac.worker.dispatch.TaskInvoker;
import dev.celeriac.worker.dispatch.TaskRegistry;
import dev.celeriac.worker.events.EventPublisher;
import dev.celeriac.worker.metrics.WorkerMetrics;
import dev.celeriac.worker.pool.TaskPool;
import dev.celeriac.worker.results.ResultReplies;
import dev.celeriac.worker.retry.Decision;
import dev.celeriac.worker.retry.FailureClassifier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageBuilder;
import tools.jackson.databind.JsonNode;

/**
 * The life of one delivered task message, ack last: decode it, check it is known, current, not revoked and due; run
 * it in its queue's pool within its time limits; then publish its outcome (success event, retry into the delay
 * ladder, or dead letter), wait for the broker's confirm, and only then ack. A crash at any point leaves the message
 * unacked, so the broker delivers it again: execution is at-least-once.
 */
public final class TaskRunner {

    private static final String RETRIES = EventFields.RETRIES;
    private static final String REPLAY = EventFields.REPLAY;

    private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);

    /** Collaborators of the runner. */
    public record Services(
            TaskMessageCodec codec,
            TaskRegistry registry,
            TaskInvoker invoker,
            FailureClassifier classifier,
            ConfirmedPublisher publisher,
            EventPublisher events,
            DeadLetterPublisher deadLetters,
            DelayLadder ladder,
            Revocations revocations,
            WorkerMetrics metrics,
            ResultReplies replies,
            Duration publishTimeout,
            Clock clock) {}

    private final Services s;
    private final Settler settler = new Settler();
    private final ScheduledExecutorService timers;
    private final ExecutorService finishers;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> totals = new ConcurrentHashMap<>();
    private volatile Runnable onTooManyAbandoned = () -> {};
    private final int maxAbandoned;

    public TaskRunner(Services services, ScheduledExecutorService timers, ExecutorService finishers, int maxAbandoned) {
        this.s = services;
        this.timers = timers;
        this.finishers = finishers;
        this.maxAbandoned = maxAbandoned;
        services.revocations().onTerminate(this::terminate);
    }

    /** Sets what to do when a pool's abandoned threads pass the limit (the worker drains and exits). */
    public void onTooManyAbandoned(Runnable action) {
        this.onTooManyAbandoned = action;
    }

    /** The event publisher of this worker. */
    public EventPublisher events() {
        return s.events();
    }

    /** Tasks running now. */
    public int active() {
        return running.size();
    }

    /** Tasks finished since start. */
    public long processed() {
        return totals.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Ids of the tasks running now. */
    public Set<String> runningIds() {
        return Set.copyOf(running.keySet());
    }

    /** The tasks running now, oldest first. */
    public List<ActiveTask> activeTasks() {
        return running.values().stream()
                .filter(run -> run.startedAt != null)
                .sorted(Comparator.comparing((Running run) -> run.startedAt))
                .map(run -> {
                    var properties = run.message.getMessageProperties();
                    return new ActiveTask(
                            run.task.id(),
                            run.task.task(),
                            run.task.body().args(),
                            run.task.body().kwargs(),
                            run.queue,
                            properties.getReceivedExchange(),
                            run.startedAt,
                            Boolean.TRUE.equals(properties.getRedelivered()),
                            run.task.properties().priority());
                })
                .toList();
    }

    /** Tasks settled since start, by task name (Celery's {@code total} in {@code inspect stats}). */
    public Map<String, Long> totals() {
        var counts = new TreeMap<String, Long>();
        totals.forEach((task, count) -> counts.put(task, count.sum()));
        return counts;
    }

    /**
     * Handles a delivery on the consumer's dispatch thread. It returns once the task is running, has been settled, or
     * has been handed back because the worker is stopping. {@code quarantined} marks one taken from the queue's
     * quarantine, which runs whatever its history. A delivery of the work queue itself that was delivered before and never settled (its worker crashed,
     * or handed it back) is not run here: it goes to the quarantine, where it will run alone, so that if it is what
     * crashed the worker, it crashes no other task with it.
     */
    void handle(
            String queue,
            TaskPool pool,
            Message message,
            Delivery delivery,
            BooleanSupplier stopping,
            boolean quarantined) {
        if (!quarantined && Boolean.TRUE.equals(message.getMessageProperties().getRedelivered())) {
            finishers.execute(() -> quarantine(queue, message, delivery));
            return;
        }
        TaskMessage task;
        try {
            task = AmqpTaskMessages.decode(s.codec(), message);
        } catch (MalformedMessageException e) {
            String id = String.valueOf(message.getMessageProperties().getCorrelationId());
            finishers.execute(() -> deadLetter(
                    id,
                    "(malformed)",
                    queue,
                    message,
                    delivery,
                    DeadLetterReason.MALFORMED,
                    null,
                    e.reason().wireName() + ": " + e.getMessage(),
                    0,
                    () -> ResultReplies.Reply.NONE));
            return;
        }
        TaskDefinition definition = s.registry().find(task.task());
        if (definition == null) {
            finishers.execute(() -> deadLetter(
                    task.id(),
                    task.task(),
                    queue,
                    message,
                    delivery,
                    DeadLetterReason.UNKNOWN_TASK,
                    null,
                    "no task '" + task.task() + "' is registered on worker "
                            + s.events().hostname(),
                    0,
                    () -> s.replies().notRegistered(task)));
            return;
        }
        Instant now = s.clock().instant();
        TaskHeaders headers = task.headers();
        if (headers.expires() != null && !now.isBefore(headers.expires())) {
            finishers.execute(() -> revoked(task, queue, delivery, Revocation.EXPIRED, null));
            return;
        }
        if (s.revocations().isRevoked(task.id())) {
            finishers.execute(() -> revoked(task, queue, delivery, Revocation.REVOKED, null));
            return;
        }
        if (headers.eta() != null && headers.eta().isAfter(now)) {
            Duration remaining = Duration.between(now, headers.eta());
            finishers.execute(() -> defer(task, queue, message, delivery, remaining));
            return;
        }
        try {
            while (!pool.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                if (stopping.getAsBoolean()) {
                    handBack(queue, message, delivery, quarantined);
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            handBack(queue, message, delivery, quarantined);
            return;
        }
        if (stopping.getAsBoolean()) {
            pool.release();
            handBack(queue, message, delivery, quarantined);
            return;
        }
        start(task, definition, queue, pool, message, delivery, now);
    }

    /** A task that holds a slot of its pool. */
    private final class Running implements TaskContext {
        final TaskMessage task;
        final TaskDefinition definition;
        final String queue;
        final TaskPool pool;
        final Message message;
        final Delivery delivery;
        final AtomicReference<Object> outcome = new AtomicReference<>();
        volatile Thread thread;
        volatile boolean abandoned;
        volatile boolean terminated;
        volatile long startedNanos;
        volatile Instant startedAt;

        Running(
                TaskMessage task,
                TaskDefinition definition,
                String queue,
                TaskPool pool,
                Message message,
                Delivery delivery) {
            this.task = task;
            this.definition = definition;
            this.queue = queue;
            this.pool = pool;
            this.message = message;
            this.delivery = delivery;
        }

        /** Records the attempt's outcome; the first one wins (the task's own, or its hard time limit). */
        boolean complete(Object result) {
            return outcome.compareAndSet(null, result);
        }

        @Override
        public String id() {
            return task.id();
        }

        @Override
        public String name() {
            return task.task();
        }

        @Override
        public String queue() {
            return queue;
        }

        @Override
        public int retries() {
            return task.headers().retries();
        }

        @Override
        public Map<String, Object> headers() {
            return message.getMessageProperties().getHeaders();
        }

        @Override
        public boolean isRevoked() {
            return s.revocations().isRevoked(task.id());
        }

        @Override
        public void reportProgress(Object progress) {
            String json;
            try {
                json = s.codec().mapper().writeValueAsString(progress);
            } catch (tools.jackson.core.JacksonException e) {
                throw new IllegalArgumentException(
                        "the progress of task " + task.id() + " cannot be written as JSON: " + e.getOriginalMessage(),
                        e);
            }
            sendQuietly(task.id(), new TaskEvent.Progress(s.events().source(), task.id(), json, run(task, Map.of())));
        }
    }

    private record Succeeded(JsonNode result, Duration runtime) {}

    private record Failed(Throwable failure, Duration runtime) {}

    private void start(
            TaskMessage task,
            TaskDefinition definition,
            String queue,
            TaskPool pool,
            Message message,
            Delivery delivery,
            Instant now) {
        var run = new Running(task, definition, queue, pool, message, delivery);
        running.put(task.id(), run);
        Instant published = message.getMessageProperties().getTimestamp() == null
                ? null
                : message.getMessageProperties().getTimestamp().toInstant();
        Instant ready = later(published, task.headers().eta());
        if (ready != null) {
            s.metrics().queueWait(task.task(), queue, Duration.between(ready, now));
        }
        sendQuietly(
                task.id(),
                new TaskEvent.Received(
                        s.events().source(),
                        task.id(),
                        task.task(),
                        task.headers().argsrepr(),
                        task.headers().kwargsrepr(),
                        task.headers().retries(),
                        etaText(task),
                        task.headers().rootId(),
                        task.headers().parentId(),
                        run(task, Map.of("queue", queue))));
        try {
            pool.execute(() -> execute(run));
        } catch (RuntimeException e) {
            running.remove(task.id());
            pool.release();
            delivery.requeue();
            log.error("could not start task {}; it goes back to its queue", task.id(), e);
        }
    }

    private void execute(Running run) {
        run.thread = Thread.currentThread();
        run.startedNanos = System.nanoTime();
        run.startedAt = s.clock().instant();
        TimeLimit limits = effectiveLimits(run);
        ScheduledFuture<?> soft = limits.soft() == null
                ? null
                : timers.schedule(() -> interrupt(run), limits.soft().toNanos(), TimeUnit.NANOSECONDS);
        ScheduledFuture<?> hard = limits.hard() == null
                ? null
                : timers.schedule(
                        () -> hardLimit(run, limits.hard()), limits.hard().toNanos(), TimeUnit.NANOSECONDS);
        sendQuietly(run.task.id(), new TaskEvent.Started(s.events().source(), run.task.id(), attempt(run.task)));
        Object outcome;
        try {
            JsonNode result = s.invoker()
                    .invoke(
                            run.definition,
                            run.task.body().args(),
                            run.task.body().kwargs(),
                            run);
            outcome = new Succeeded(result, elapsed(run));
        } catch (Throwable failure) {
            outcome = new Failed(failure, elapsed(run));
        } finally {
            if (soft != null) {
                soft.cancel(false);
            }
            if (hard != null) {
                hard.cancel(false);
            }
            Thread.interrupted(); // a late soft-limit interrupt must not leak into the next task on this thread
        }
        if (run.complete(outcome)) {
            Object settled = outcome;
            run.pool.release();
            finishers.execute(() -> finish(run, settled));
        } else if (run.abandoned) {
            run.pool.abandonedFinished();
            log.info("abandoned task {} finished after its hard time limit; its result is dropped", run.task.id());
        }
    }

    private TimeLimit effectiveLimits(Running run) {
        TimeLimit fromMessage = run.task.headers().timeLimit();
        TimeLimit fromTask = run.definition.timeLimit();
        return new TimeLimit(
                fromMessage.soft() != null ? fromMessage.soft() : fromTask.soft(),
                fromMessage.hard() != null ? fromMessage.hard() : fromTask.hard());
    }

    private void interrupt(Running run) {
        Thread thread = run.thread;
        if (thread != null && run.outcome.get() == null) {
            thread.interrupt();
        }
    }

    private void hardLimit(Running run, Duration limit) {
        if (run.complete(new Failed(new TimeLimitExceededException(run.task.task(), limit), elapsed(run)))) {
            run.abandoned = true;
            int abandoned = run.pool.abandon();
            run.pool.release();
            interrupt(run);
            log.warn(
                    "task {} ({}) passed its hard time limit of {}; its slot is freed and the attempt failed",
                    run.task.id(),
                    run.task.task(),
                    limit);
            finishers.execute(() -> finish(run, run.outcome.get()));
            if (abandoned > maxAbandoned) {
                log.error(
                        "{} threads of pool '{}' still run abandoned tasks (limit {}); the worker recycles itself",
                        abandoned,
                        run.pool.name(),
                        maxAbandoned);
                onTooManyAbandoned.run();
            }
        }
    }

    /** Interrupts the task if it is running here (a revoke with terminate). */
    private void terminate(String taskId) {
        Running run = running.get(taskId);
        if (run != null) {
            run.terminated = true;
            interrupt(run);
        }
    }

    private void finish(Running run, Object outcome) {
        TaskMessage task = run.task;
        try {
            boolean settled = switch (outcome) {
                case Succeeded ok -> succeed(run, ok);
                case Failed failed
                when run.terminated -> revoked(task, run.queue, run.delivery, Revocation.TERMINATED, failed.runtime());
                case Failed failed -> fail(run, failed);
                default -> throw new IllegalStateException("unknown outcome " + outcome);
            };
            if (settled) {
                totals.computeIfAbsent(task.task(), name -> new LongAdder()).increment();
            }
        } finally {
            running.remove(task.id(), run);
        }
    }

    private boolean succeed(Running run, Succeeded ok) {
        TaskMessage task = run.task;
        boolean acked = settler.settle(
                task.id(),
                "the outcome",
                run.delivery,
                List.of(
                        () -> s.replies().success(task, ok.result())::await,
                        Settler.Publish.awaited(() -> s.events()
                                .sendAndWait(
                                        task.id(),
                                        new TaskEvent.Succeeded(
                                                s.events().source(),
                                                task.id(),
                                                ok.result() == null
                                                        ? "null"
                                                        : ok.result().toString(),
                                                seconds(ok.runtime()),
                                                attempt(task))))));
        if (acked) {
            s.metrics().completed(task.task(), run.queue, MetricNames.OUTCOME_SUCCESS, ok.runtime());
        }
        return acked;
    }

    private boolean fail(Running run, Failed failed) {
        TaskMessage task = run.task;
        Integer maxRetries =
                task.headers().extra().get(MessageHeaders.MAX_RETRIES) instanceof Number n ? n.intValue() : null;
        Decision decision = s.classifier()
                .classify(
                        failed.failure(),
                        run.definition.retryPolicy(),
                        task.headers().retries(),
                        maxRetries);
        String exception = celeryException(failed.failure());
        String traceback = DeadLetterPublisher.traceback(failed.failure());
        return switch (decision) {
            case Decision.Retry retry -> {
                Instant eta = s.clock().instant().plus(retry.delay());
                TaskMessage next = new TaskMessage(
                        task.properties(),
                        task.headers().toBuilder()
                                .retries(task.headers().retries() + 1)
                                .eta(eta)
                                .build(),
                        task.body());
                boolean acked = settler.settle(
                        task.id(),
                        "the retry",
                        run.delivery,
                        List.of(
                                Settler.Publish.awaited(() -> publishDelayed(next, run.queue, retry.delay())),
                                () -> s.replies().failure(task, true, failed.failure(), traceback)::await,
                                Settler.Publish.awaited(() -> s.events()
                                        .sendAndWait(
                                                task.id(),
                                                new TaskEvent.Retried(
                                                        s.events().source(),
                                                        task.id(),
                                                        exception,
                                                        traceback,
                                                        run(
                                                                task,
                                                                Map.of(
                                                                        RETRIES,
                                                                        task.headers()
                                                                                        .retries()
                                                                                + 1,
                                                                        "eta",
                                                                        etaText(next))))))));
                if (acked) {
                    s.metrics().retried(task.task(), run.queue);
                    s.metrics().completed(task.task(), run.queue, MetricNames.OUTCOME_RETRY, failed.runtime());
                }
                yield acked;
            }
            case Decision.DeadLetter dead -> {
                boolean acked = settler.settle(
                        task.id(),
                        "the dead letter",
                        run.delivery,
                        List.of(
                                Settler.Publish.awaited(() -> s.deadLetters()
                                        .publish(
                                                task.id(),
                                                run.message,
                                                run.queue,
                                                dead.reason(),
                                                failed.failure(),
                                                null,
                                                task.headers().retries() + 1)),
                                () -> s.replies().failure(task, false, failed.failure(), traceback)::await,
                                Settler.Publish.awaited(() -> s.events()
                                        .sendAndWait(
                                                task.id(),
                                                new TaskEvent.Failed(
                                                        s.events().source(),
                                                        task.id(),
                                                        exception,
                                                        traceback,
                                                        run(
                                                                task,
                                                                Map.of(
                                                                        "reason",
                                                                        dead.reason()
                                                                                .wireName(),
                                                                        RETRIES,
                                                                        task.headers()
                                                                                .retries())))))));
                if (acked) {
                    s.metrics()
                            .deadLettered(task.task(), run.queue, dead.reason().wireName());
                    s.metrics().completed(task.task(), run.queue, MetricNames.OUTCOME_FAILURE, failed.runtime());
                }
                yield acked;
            }
        };
    }

    /** Sends a task round the delay ladder until it is due, confirmed. */
    private void publishDelayed(TaskMessage task, String queue, Duration delay) {
        DelayTier tier = s.ladder().tierFor(delay).orElse(null);
        Message message = AmqpTaskMessages.toMessage(s.codec().encode(task));
        if (tier == null) {
            s.publisher()
                    .sendAndWait(task.id(), TopologyNames.TASK_EXCHANGE, queue, queue, message, s.publishTimeout());
        } else {
            s.publisher().sendAndWait(task.id(), tier.name(), queue, queue, message, s.publishTimeout());
        }
    }

    private void defer(TaskMessage task, String queue, Message original, Delivery delivery, Duration remaining) {
        DelayTier tier = s.ladder().tierFor(remaining).orElseThrow();
        // The message goes round unchanged, headers and all, until it is due.
        settler.settle(
                task.id(),
                "the delay",
                delivery,
                List.of(Settler.Publish.awaited(() -> s.publisher()
                        .sendAndWait(task.id(), tier.name(), queue, queue, original, s.publishTimeout()))));
    }

    /** Why a task is dropped without running (again). */
    private enum Revocation {
        /** Its id is revoked. */
        REVOKED,
        /** It passed its {@code expires} time. */
        EXPIRED,
        /** It was interrupted while running by a revoke with terminate. */
        TERMINATED;

        String reply() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private boolean revoked(TaskMessage task, String queue, Delivery delivery, Revocation kind, Duration runtime) {
        boolean terminated = kind == Revocation.TERMINATED;
        boolean acked = settler.settle(
                task.id(),
                "the revocation",
                delivery,
                List.of(
                        () -> s.replies().revoked(task, kind.reply())::await,
                        Settler.Publish.awaited(() -> s.events()
                                .sendAndWait(
                                        task.id(),
                                        new TaskEvent.Revoked(
                                                s.events().source(),
                                                task.id(),
                                                terminated,
                                                terminated ? "SIGTERM" : null,
                                                kind == Revocation.EXPIRED,
                                                attempt(task))))));
        if (acked) {
            s.metrics().revoked(task.task(), queue);
            s.metrics().completed(task.task(), queue, MetricNames.OUTCOME_REVOKED, runtime);
        }
        return acked;
    }

    /**
     * Gives back a delivery this worker never started, because it is stopping: published again (confirmed) to where
     * it came from, then acked. A nack would do the same, but it would mark the task redelivered and send it to the
     * quarantine, though it never ran; if the publish fails, the nack it is.
     */
    void handBack(String queue, Message message, Delivery delivery, boolean quarantined) {
        moveTo(quarantined ? TopologyNames.suspectQueue(queue) : queue, message, Map.of(), delivery);
    }

    /** Moves a delivery that came back unsettled to its queue's quarantine (confirmed), then acks it. */
    private void quarantine(String queue, Message message, Delivery delivery) {
        Map<String, Object> headers = message.getMessageProperties().getHeaders();
        long before = headers.get(MessageHeaders.UNSETTLED_DELIVERIES) instanceof Number n ? n.longValue() : 0;
        long returned = headers.get(MessageHeaders.DELIVERY_COUNT) instanceof Number n ? n.longValue() : 1;
        String quarantine = TopologyNames.suspectQueue(queue);
        if (moveTo(
                quarantine,
                message,
                Map.of(MessageHeaders.UNSETTLED_DELIVERIES, before + Math.max(1, returned)),
                delivery)) {
            String task = String.valueOf(headers.getOrDefault(MessageHeaders.TASK, "(unknown)"));
            s.metrics().quarantined(task, queue);
            log.warn(
                    "task {} ({}) came back unsettled from an earlier delivery; it runs alone from '{}'",
                    messageId(message),
                    task,
                    quarantine);
        }
    }

    /**
     * Publishes a copy of a delivery's message straight to {@code queue} (confirmed), without the broker's delivery
     * count and with {@code headers} set, then acks the delivery: {@code true}. If the broker does not take the copy
     * (see {@link Settler}), the delivery goes back to its queue: {@code false}.
     */
    private boolean moveTo(String queue, Message message, Map<String, Object> headers, Delivery delivery) {
        String id = messageId(message);
        var copy = MessageBuilder.fromClonedMessage(message).removeHeader(MessageHeaders.DELIVERY_COUNT);
        headers.forEach(copy::setHeader);
        Message moved = copy.build();
        return settler.settle(
                id,
                "the move to '" + queue + "'",
                delivery,
                List.of(Settler.Publish.awaited(
                        () -> s.publisher().sendAndWait(id, "", queue, queue, moved, s.publishTimeout()))));
    }

    /** The task id of a message, from its headers or its correlation id. */
    private static String messageId(Message message) {
        var properties = message.getMessageProperties();
        return String.valueOf(properties.getHeaders().getOrDefault(MessageHeaders.ID, properties.getCorrelationId()));
    }

    private void deadLetter(
            String id,
            String task,
            String queue,
            Message message,
            Delivery delivery,
            DeadLetterReason reason,
            Throwable failure,
            String detail,
            int attempts,
            Supplier<ResultReplies.Reply> reply) {
        boolean acked = settler.settle(
                id,
                "the dead letter",
                delivery,
                List.of(
                        Settler.Publish.awaited(
                                () -> s.deadLetters().publish(id, message, queue, reason, failure, detail, attempts)),
                        () -> reply.get()::await,
                        Settler.Publish.awaited(() -> s.events()
                                .sendAndWait(
                                        id,
                                        new TaskEvent.Rejected(
                                                s.events().source(),
                                                id,
                                                false,
                                                Map.of("reason", reason.wireName(), "detail", detail))))));
        if (acked) {
            s.metrics().deadLettered(task, queue, reason.wireName());
            log.warn("dead-lettered message {} from queue '{}': {}", id, queue, detail);
        }
    }

    private void sendQuietly(String id, TaskEvent event) {
        try {
            s.events().send(id, event);
        } catch (TaskPublishException e) {
            log.warn("event {} of task {} was not sent: {}", event.type().wireName(), id, e.getMessage());
        }
    }

    /**
     * The attempt an event belongs to, for the ledger's merge: Celery's own task events carry {@code retries} only on
     * {@code task-received}; Celeriac adds it to every task event (on {@code task-retried}, the next attempt's).
     */
    private static Map<String, Object> attempt(TaskMessage task) {
        return Map.of(RETRIES, task.headers().retries(), REPLAY, replayOf(task));
    }

    /**
     * The fields of a task event with the run it is about added: how many times the API replayed the task from a
     * dead letter before this message, so that the ledger ranks a replayed run's events above the runs before it.
     */
    private static Map<String, Object> run(TaskMessage task, Map<String, Object> fields) {
        var withRun = new LinkedHashMap<String, Object>(fields);
        withRun.put(REPLAY, replayOf(task));
        return withRun;
    }

    private static int replayOf(TaskMessage task) {
        return task.headers().extra().get(MessageHeaders.REPLAY) instanceof Number n ? n.intValue() : 0;
    }

    private static String celeryException(Throwable failure) {
        String message =
                failure.getMessage() == null ? "" : failure.getMessage().replace("'", "\\'");
        return failure.getClass().getSimpleName() + "('" + message + "')";
    }

    private static String etaText(TaskMessage task) {
        return task.headers().eta() == null
                ? null
                : CeleryTimes.format(task.headers().eta());
    }

    private static Instant later(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }

    private static Duration elapsed(Running run) {
        return Duration.ofNanos(System.nanoTime() - run.startedNanos);
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }

    /** Hands every running task back to its queue, interrupting it (the end of a shutdown's grace period). */
    public void requeueRunning() {
        for (Running run : running.values()) {
            if (run.delivery.requeue()) {
                log.warn(
                        "task {} did not finish within the shutdown grace period; it goes back to its queue",
                        run.task.id());
            }
            interrupt(run);
        }
    }
}
