package dev.celeriac.protocol.result;

import dev.celeriac.protocol.message.MalformedMessageException;
import dev.celeriac.protocol.message.MalformedMessageException.Reason;
import dev.celeriac.protocol.state.TaskState;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A task's state as Celery's {@code rpc://} result backend sends it to the client that asked: published to the
 * default exchange with the task message's {@code reply_to} as routing key and its {@code correlation_id}, the body
 * {@code {"task_id", "status", "result", "traceback", "children"}}. For {@code FAILURE}, {@code RETRY} and
 * {@code REVOKED} the result is an {@link ExceptionInfo}, which the client raises from {@code AsyncResult.get()}.
 *
 * @param taskId the task
 * @param status the state reached; only {@code SUCCESS}, {@code FAILURE} and {@code REVOKED} end the client's wait
 * @param result the return value (any JSON), or the exception for failed, retried and revoked tasks
 * @param traceback the failure's stack trace, or {@code null}
 */
public record ResultMessage(String taskId, TaskState status, JsonNode result, String traceback) {

    static final String TASK_ID = "task_id";
    static final String STATUS = "status";
    static final String RESULT = "result";
    static final String TRACEBACK = "traceback";
    static final String CHILDREN = "children";

    public ResultMessage {
        if (taskId == null || taskId.isBlank()) {
            throw new IllegalArgumentException("a result names its task");
        }
        if (status == null) {
            throw new IllegalArgumentException("a result has a status");
        }
        result = result == null ? NullNode.getInstance() : result;
    }

    /** A task's return value. */
    public static ResultMessage success(String taskId, JsonNode value) {
        return new ResultMessage(taskId, TaskState.SUCCESS, value, null);
    }

    /** A failure ({@code FAILURE}, or {@code RETRY} for an attempt that will be retried). */
    public static ResultMessage failure(
            JsonMapper mapper, String taskId, TaskState status, ExceptionInfo exception, String traceback) {
        return new ResultMessage(taskId, status, exception.toJson(mapper), traceback);
    }

    /** A revoked or expired task: Celery's {@code TaskRevokedError} with the reason. */
    public static ResultMessage revoked(JsonMapper mapper, String taskId, String reason) {
        return new ResultMessage(
                taskId,
                TaskState.REVOKED,
                ExceptionInfo.of("TaskRevokedError", ExceptionInfo.CELERY_EXCEPTIONS, reason)
                        .toJson(mapper),
                null);
    }

    /** The exception of a failed, retried or revoked task, or {@code null} for any other. */
    public ExceptionInfo exception(JsonMapper mapper) {
        return result.isObject() && result.has(ExceptionInfo.EXC_TYPE) ? ExceptionInfo.fromJson(mapper, result) : null;
    }

    /** Writes the message body. */
    public byte[] encode(JsonMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        root.put(TASK_ID, taskId);
        root.put(STATUS, status.name());
        root.set(RESULT, result);
        root.put(TRACEBACK, traceback);
        root.set(CHILDREN, mapper.valueToTree(List.of()));
        return mapper.writeValueAsBytes(root);
    }

    /**
     * Reads a message body.
     *
     * @throws MalformedMessageException if it is not a result message
     */
    public static ResultMessage decode(JsonMapper mapper, byte[] body) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (JacksonException e) {
            throw new MalformedMessageException(Reason.NOT_JSON, "result is not JSON: " + e.getOriginalMessage());
        }
        if (root == null
                || !root.isObject()
                || !root.path(TASK_ID).isString()
                || !root.path(STATUS).isString()) {
            throw new MalformedMessageException(Reason.WRONG_SHAPE, "result has no task_id and status");
        }
        TaskState status;
        try {
            status = TaskState.valueOf(root.path(STATUS).stringValue());
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException(
                    Reason.WRONG_SHAPE,
                    "unknown result status " + root.path(STATUS).stringValue());
        }
        JsonNode traceback = root.path(TRACEBACK);
        return new ResultMessage(
                root.path(TASK_ID).stringValue(),
                status,
                root.path(RESULT),
                traceback.isString() ? traceback.stringValue() : null);
    }
}
