package dev.celeriac.worker.internal.consume;

import static dev.celeriac.worker.internal.consume.TaskEvents.withRun;

import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.message.TimeLimit;
import dev.celeriac.worker.TaskContext;
import dev.celeriac.worker.internal.control.Revocations;
import dev.celeriac.worker.internal.dispatch.TaskDefinition;
import dev.celeriac.worker.internal.events.EventPublisher;
import dev.celeriac.worker.pool.TaskPool;
import io.micrometer.observation.Observation;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One attempt of a task, from the slot it holds in its pool to its settled outcome; the task sees it as its
 * {@link TaskContext}. The attempt ends once: by the task returning or throwing, or by its hard time limit,
 * whichever comes first, and whichever ends it gives the slot back.
 */
final class Execution implements TaskContext {

    private static final Logger log = LoggerFactory.getLogger(Execution.class);

    /** How an attempt ended. */
    sealed interface Attempt {
        Duration runtime();

        /** The task returned {@code result}. */
        record Returned(JsonNode result, Duration runtime) implements Attempt {}

        /** The task threw, or passed its hard time limit. */
        record Threw(Throwable failure, Duration runtime) implements Attempt {}
    }

    final TaskMessage task;
    final TaskDefinition definition;
    /** When the gate admitted it. */
    final Instant admittedAt;

    final String queue;
    final TaskPool pool;
    final Message message;
    final Delivery delivery;
    private final TaskPool.Slot slot;
    private final Revocations revocations;
    private final EventPublisher events;
    private final JsonMapper mapper;
    private final AtomicReference<Attempt> ended = new AtomicReference<>();
    private volatile Thread thread;
    private volatile long startedNanos;
    volatile Instant startedAt;
    volatile boolean abandoned;
    volatile boolean terminated;
    /** The observation of this run, a span of the trace its message carries. */
    volatile Observation observation = Observation.NOOP;
    /** The observation of the publish of its retry, if it failed and runs again. */
    volatile Observation retryPublish = Observation.NOOP;

    Execution(
            Admission.Run admitted,
            String queue,
            TaskPool pool,
            TaskPool.Slot slot,
            Message message,
            Delivery delivery,
            Revocations revocations,
            EventPublisher events,
            JsonMapper mapper) {
        this.task = admitted.task();
        this.definition = admitted.definition();
        this.admittedAt = admitted.admittedAt();
        this.queue = queue;
        this.pool = pool;
        this.slot = slot;
        this.message = message;
        this.delivery = delivery;
        this.revocations = revocations;
        this.events = events;
        this.mapper = mapper;
    }

    /** Marks the attempt started on the calling thread, the one a soft limit or a terminate interrupts. */
    void started(Instant now) {
        thread = Thread.currentThread();
        startedNanos = System.nanoTime();
        startedAt = now;
    }

    /** From the start to now. */
    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    /**
     * Ends the attempt with {@code how} unless it has ended already, and gives its slot back.
     *
     * @return whether this call ended it (the task's own end, or its hard time limit, whichever came first)
     */
    boolean end(Attempt how) {
        if (!ended.compareAndSet(null, how)) {
            return false;
        }
        slot.close();
        return true;
    }

    /** How it ended, or {@code null} while it runs. */
    Attempt ended() {
        return ended.get();
    }

    /** Gives the slot back for an attempt that never started. */
    void abort() {
        slot.close();
    }

    /** Interrupts the task's thread while it runs (its soft time limit, a terminate, the end of a shutdown). */
    void interrupt() {
        Thread running = thread;
        if (running != null && ended.get() == null) {
            running.interrupt();
        }
    }

    /** Its time limits: the message's own where it sets them, else the task's. */
    TimeLimit limits() {
        TimeLimit fromMessage = task.headers().timeLimit();
        TimeLimit fromTask = definition.timeLimit();
        return new TimeLimit(
                fromMessage.soft() != null ? fromMessage.soft() : fromTask.soft(),
                fromMessage.hard() != null ? fromMessage.hard() : fromTask.hard());
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
        return revocations.isRevoked(task.id());
    }

    @Override
    public void reportProgress(Object progress) {
        String json;
        try {
            json = mapper.writeValueAsString(progress);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(
                    "the progress of task " + task.id() + " cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
        try {
            events.send(task.id(), new TaskEvent.Progress(events.source(), task.id(), json, withRun(task, Map.of())));
        } catch (TaskPublishException e) {
            log.warn("the progress of task {} was not sent: {}", task.id(), e.getMessage());
        }
    }
}
