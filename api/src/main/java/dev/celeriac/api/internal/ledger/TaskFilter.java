package dev.celeriac.api.internal.ledger;

import dev.celeriac.protocol.state.TaskState;
import java.time.Instant;

/**
 * Which tasks a list, a count or a bulk action is about. Every field may be {@code null}: no condition on it.
 *
 * @param state merged state (not indexed: found walking the newest tasks)
 * @param task task name
 * @param queue work queue
 * @param root the first task of a workflow
 * @param parent the task that sent it (found under its parent's workflow, by the workflow index)
 * @param search text found in the task's arguments or keyword arguments, case-insensitive (a trigram index on
 *     PostgreSQL)
 * @param since submitted at or after
 * @param until submitted before
 */
public record TaskFilter(
        TaskState state,
        String task,
        String queue,
        String root,
        String parent,
        String search,
        Instant since,
        Instant until) {

    /** Every task. */
    public static final TaskFilter ALL = new TaskFilter(null, null, null, null, null, null, null, null);

    /** The tasks of one workflow. */
    public static TaskFilter ofWorkflow(String root) {
        return new TaskFilter(null, null, null, root, null, null, null, null);
    }
}
