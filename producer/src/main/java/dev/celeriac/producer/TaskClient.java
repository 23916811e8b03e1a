package dev.celeriac.producer;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Enqueues tasks. A call returns only once the broker has confirmed the task (persistent, mandatory, publisher
 * confirms); anything else is a {@link TaskPublishException}, never a silent drop. Implementations are thread-safe.
 */
public interface TaskClient {

    /**
     * Submits one task and waits for the broker's confirm.
     *
     * @throws TaskPublishException if the broker did not take it
     * @throws IllegalArgumentException if the task name, queue or an option is invalid, or an argument cannot be
     *     written as JSON
     */
    TaskHandle submit(TaskRequest request);

    /**
     * Submits tasks together: all are published, then all confirms awaited, so a batch costs about one round trip.
     *
     * @return a handle per request, in order
     * @throws BatchPublishException if any task was not taken; it lists which were
     * @throws IllegalArgumentException if any request is invalid (then none is sent)
     */
    List<TaskHandle> submitAll(List<TaskRequest> requests);

    /**
     * Submits a workflow (chains, groups, callbacks) and waits for the broker's confirm of the tasks that start it;
     * the later steps travel in their messages and are sent by the workers that finish the steps before them.
     *
     * @return the workflow's id and the id of every task in it, chosen now
     * @throws BatchPublishException if a starting task was not taken; it lists which were
     * @throws IllegalArgumentException if a step is invalid (then nothing is sent), or is a group followed by
     *     another step (a chord, which Celeriac does not run yet)
     */
    WorkflowHandle submit(Workflow workflow);

    /**
     * Submits a workflow as {@link #submit(Workflow)} does, with the results of its result tasks (a chain's last
     * step, each member of a group or map, each chunk, a chord's body) sent back to this client as they finish: in
     * the order they complete, in the workflow's order, or all together, each failure in its place.
     */
    WorkflowResults submitForResults(Workflow workflow);

    /**
     * Revokes a task: a worker that has not started it will never run it (it is recorded revoked), including a worker
     * that starts later (revocations are kept in the broker for a week); with {@code terminate}, a running task is
     * interrupted.
     *
     * @throws TaskPublishException if the broker did not take the revocation
     */
    void revoke(String taskId, boolean terminate);

    /**
     * Revokes a task as {@link #revoke(String, boolean)} does, telling workers to remember the revocation until the
     * given time (by default they remember it for their own retention, 24 hours): for a task that may still arrive
     * later, such as one with a far ETA.
     *
     * @param until until when workers must remember the revocation, or {@code null} for their own retention
     * @throws TaskPublishException if the broker did not take the revocation
     */
    void revoke(String taskId, boolean terminate, Instant until);

    /** Submits one task with the given arguments and options. */
    default TaskHandle submit(String task, List<?> args, Map<String, ?> kwargs, SubmitOptions options) {
        return submit(new TaskRequest(task, args, kwargs, options));
    }

    /** Submits one task with positional arguments to the default queue, at once. */
    default TaskHandle submit(String task, Object... args) {
        return submit(new TaskRequest(task, Arrays.asList(args), Map.of(), SubmitOptions.defaults()));
    }
}
