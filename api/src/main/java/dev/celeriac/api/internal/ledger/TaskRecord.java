package dev.celeriac.api.internal.ledger;

import dev.celeriac.protocol.state.TaskState;
import java.time.Instant;

/**
 * A task as the ledger knows it.
 *
 * @param id task id
 * @param task task name
 * @param queue work queue
 * @param state merged state
 * @param retries retries so far (the attempt of the state)
 * @param args positional arguments as JSON text (or Celery's repr, for tasks sent by Python)
 * @param kwargs keyword arguments as JSON text (or repr)
 * @param result result as JSON text (Celeriac workers) or repr (Celery workers), or {@code null}
 * @param resultTruncated whether the result was cut at the size cap
 * @param errorType exception of the last failure, or {@code null}
 * @param errorMessage its message
 * @param traceback its stack trace
 * @param progress the latest progress report as JSON text, or {@code null}
 * @param worker the worker that last handled it
 * @param parentId parent task id
 * @param rootId root task id
 * @param eta earliest start
 * @param expires expiry
 * @param submittedAt when it was accepted (or first heard of)
 * @param startedAt when its last attempt started
 * @param finishedAt when it reached a terminal state
 */
public record TaskRecord(
        String id,
        String task,
        String queue,
        TaskState state,
        int retries,
        String args,
        String kwargs,
        String result,
        boolean resultTruncated,
        String errorType,
        String errorMessage,
        String traceback,
        String progress,
        String worker,
        String parentId,
        String rootId,
        Instant eta,
        Instant expires,
        Instant submittedAt,
        Instant startedAt,
        Instant finishedAt) {}
