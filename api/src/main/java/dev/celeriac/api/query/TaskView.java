package dev.celeriac.api.query;

import dev.celeriac.api.internal.ledger.TaskRecord;
import dev.celeriac.protocol.state.TaskState;
import java.time.Instant;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.StringNode;

/**
 * A task as the API shows it. Arguments and results are JSON when Celeriac wrote them, and the text Celery wrote
 * (Python's repr) otherwise.
 */
public record TaskView(
        String id,
        String task,
        String queue,
        TaskState state,
        JsonNode args,
        JsonNode kwargs,
        JsonNode result,
        boolean resultTruncated,
        Error error,
        JsonNode progress,
        int retries,
        Instant submittedAt,
        Instant startedAt,
        Instant finishedAt,
        String worker,
        String parentId,
        String rootId,
        Instant eta,
        Instant expires,
        Instant revokedAt) {

    /** The last failure. */
    public record Error(String type, String message, String traceback) {}

    public static TaskView of(TaskRecord r, JsonMapper json) {
        return new TaskView(
                r.id(),
                r.task(),
                r.queue(),
                r.state(),
                parse(json, r.args()),
                parse(json, r.kwargs()),
                r.resultTruncated() ? StringNode.valueOf(r.result()) : parse(json, r.result()),
                r.resultTruncated(),
                r.errorType() == null ? null : new Error(r.errorType(), r.errorMessage(), r.traceback()),
                parse(json, r.progress()),
                r.retries(),
                r.submittedAt(),
                r.startedAt(),
                r.finishedAt(),
                r.worker(),
                r.parentId(),
                r.rootId(),
                r.eta(),
                r.expires(),
                null);
    }

    /**
     * The view with the time the task was revoked: a task revoked before it arrived at a worker (one waiting for its
     * ETA in the broker, say) stays PENDING in the ledger until a worker drops it.
     */
    public TaskView revokedAt(Instant at) {
        return new TaskView(
                id,
                task,
                queue,
                state,
                args,
                kwargs,
                result,
                resultTruncated,
                error,
                progress,
                retries,
                submittedAt,
                startedAt,
                finishedAt,
                worker,
                parentId,
                rootId,
                eta,
                expires,
                at);
    }

    private static JsonNode parse(JsonMapper json, String text) {
        if (text == null) {
            return null;
        }
        try {
            return json.readTree(text);
        } catch (JacksonException e) {
            return StringNode.valueOf(text);
        }
    }
}
