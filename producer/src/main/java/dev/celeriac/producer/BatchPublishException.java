package dev.celeriac.producer;

import java.util.List;
import java.util.Map;

/**
 * Some tasks of a batch were not taken. The batch is not atomic (AMQP has no such thing across publishes): the
 * accepted tasks are stored, the failed ones are not, and each failure says why.
 */
public final class BatchPublishException extends TaskPublishException {

    private final List<TaskHandle> accepted;
    private final Map<String, TaskPublishException> failures;

    public BatchPublishException(List<TaskHandle> accepted, Map<String, TaskPublishException> failures) {
        super(
                failures.keySet().iterator().next(),
                failures.size() + " of " + (accepted.size() + failures.size()) + " tasks were not taken; first: "
                        + failures.values().iterator().next().getMessage(),
                failures.values().iterator().next());
        this.accepted = List.copyOf(accepted);
        this.failures = Map.copyOf(failures);
    }

    /** Tasks the broker confirmed. */
    public List<TaskHandle> accepted() {
        return accepted;
    }

    /** Why each failed task was not taken, by task id. */
    public Map<String, TaskPublishException> failures() {
        return failures;
    }

    @Override
    public boolean isTransient() {
        return failures.values().stream().allMatch(TaskPublishException::isTransient);
    }
}
