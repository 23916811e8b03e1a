package dev.celeriac.worker.internal.results;

import dev.celeriac.producer.PublishReturnedException;
import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.producer.amqp.ConfirmedPublisher;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.names.WireFormat;
import dev.celeriac.protocol.result.ExceptionInfo;
import dev.celeriac.protocol.result.ResultMessage;
import dev.celeriac.protocol.state.TaskState;
import dev.celeriac.worker.TimeLimitExceededException;
import dev.celeriac.worker.internal.dispatch.ArgumentBindingException;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends a task's states to the client that asked for them, as Celery's {@code rpc://} result backend does: a task
 * message with a {@code reply_to} (and no {@code ignore_result}) gets its {@code RETRY} states and its final
 * {@code SUCCESS}, {@code FAILURE} or {@code REVOKED} on the default exchange, routed to that queue, with the task's
 * correlation id. Replies are confirmed before the task message is acked, like every other outcome; a reply whose
 * queue is gone (the client stopped waiting) is returned by the broker and dropped.
 */
public final class ResultReplies {

    private static final Logger log = LoggerFactory.getLogger(ResultReplies.class);

    /** A reply on its way, to be awaited before the task message is acked. */
    public interface Reply {
        /**
         * Waits for the broker's confirm. A reply nobody waits for any more is no error.
         *
         * @throws TaskPublishException if the reply could not be published
         */
        void await();

        /** No reply: nobody asked for one. */
        Reply NONE = () -> {};
    }

    private final ConfirmedPublisher publisher;
    private final JsonMapper mapper;
    private final Duration timeout;

    public ResultReplies(ConfirmedPublisher publisher, JsonMapper mapper, Duration timeout) {
        this.publisher = publisher;
        this.mapper = mapper;
        this.timeout = timeout;
    }

    /** Whether the task's sender waits for replies. */
    public static boolean wanted(TaskMessage task) {
        String replyTo = task.properties().replyTo();
        return replyTo != null && !replyTo.isBlank() && !task.headers().ignoreResult();
    }

    /** The task's return value. */
    public Reply success(TaskMessage task, JsonNode value) {
        return send(task, () -> ResultMessage.success(task.id(), value));
    }

    /** A failed attempt: {@code RETRY} when it will run again, {@code FAILURE} when it is dead-lettered. */
    public Reply failure(TaskMessage task, boolean retried, Throwable failure, String traceback) {
        return failure(task, retried ? TaskState.RETRY : TaskState.FAILURE, exceptionOf(failure), traceback);
    }

    /** A task that will not run: {@code expired}, {@code revoked} or {@code terminated}. */
    public Reply revoked(TaskMessage task, String reason) {
        return send(task, () -> ResultMessage.revoked(mapper, task.id(), reason));
    }

    /** A task no worker here knows: Celery's {@code NotRegistered}, as a Celery worker answers it. */
    public Reply notRegistered(TaskMessage task) {
        return failure(
                task,
                TaskState.FAILURE,
                ExceptionInfo.of("NotRegistered", ExceptionInfo.CELERY_EXCEPTIONS, task.task()),
                null);
    }

    private Reply failure(TaskMessage task, TaskState state, ExceptionInfo exception, String traceback) {
        return send(task, () -> ResultMessage.failure(mapper, task.id(), state, exception, traceback));
    }

    /**
     * How a Celery client sees a Java failure. Java exceptions keep their simple name and message; the few that have
     * a Celery or Python counterpart take its name, so that {@code except TypeError} or
     * {@code except TimeLimitExceeded} in Python catches them.
     */
    static ExceptionInfo exceptionOf(Throwable failure) {
        return switch (failure) {
            case ArgumentBindingException e ->
                ExceptionInfo.of("TypeError", ExceptionInfo.PYTHON_BUILTINS, e.getMessage());
            case TimeLimitExceededException e ->
                ExceptionInfo.of("TimeLimitExceeded", ExceptionInfo.CELERY_EXCEPTIONS, e.getMessage());
            default -> ExceptionInfo.of(failure);
        };
    }

    private Reply send(TaskMessage task, Supplier<ResultMessage> reply) {
        if (!wanted(task)) {
            return Reply.NONE;
        }
        ResultMessage result = reply.get();
        var properties = new MessageProperties();
        properties.setContentType(WireFormat.CONTENT_TYPE_JSON);
        properties.setContentEncoding(WireFormat.CONTENT_ENCODING_UTF8);
        String correlationId = task.properties().correlationId();
        properties.setCorrelationId(correlationId == null ? task.id() : correlationId);
        String queue = task.properties().replyTo();
        ConfirmedPublisher.Pending pending;
        try {
            pending = publisher.send(task.id(), "", queue, queue, new Message(result.encode(mapper), properties));
        } catch (TaskPublishException e) {
            return () -> {
                throw e;
            };
        }
        return () -> {
            try {
                pending.await(timeout);
            } catch (PublishReturnedException e) {
                log.debug(
                        "nobody waits for the result of task {} any more (reply queue '{}' is gone)", task.id(), queue);
            }
        };
    }
}
