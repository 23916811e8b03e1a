package dev.celeriac.protocol.topology;

import dev.celeriac.protocol.names.NameRules;
import dev.celeriac.protocol.names.WireFormat;
import java.util.Objects;

/**
 * A queue that workers take tasks from, with the settings that decide its broker arguments.
 *
 * @param name queue name, also its routing key on the task exchange
 * @param kind quorum (default) or classic priority queue
 * @param deliveryLimit deliveries after which a quorum queue dead-letters a message (a worker that crashed on it
 *     counts as one), 1 or more; ignored for priority queues
 * @param maxLength most ready messages the queue holds before it refuses publishes, or {@code null} for no limit
 * @param maxPriority highest priority of a priority queue, 1 to 9; ignored for quorum queues
 */
public record WorkQueue(String name, QueueKind kind, int deliveryLimit, Integer maxLength, int maxPriority) {

    /** Deliveries before a quorum queue quarantines a message: enough for restarts, few enough for poison. */
    public static final int DEFAULT_DELIVERY_LIMIT = 10;

    public WorkQueue {
        String problem = NameRules.problem("queue name", name);
        if (problem != null) {
            throw new IllegalArgumentException(problem + ": '" + name + "'");
        }
        Objects.requireNonNull(kind, "kind");
        if (deliveryLimit < 1) {
            throw new IllegalArgumentException(
                    "delivery limit of queue '" + name + "' must be at least 1, was " + deliveryLimit);
        }
        if (maxLength != null && maxLength < 1) {
            throw new IllegalArgumentException(
                    "max length of queue '" + name + "' must be at least 1, was " + maxLength);
        }
        if (kind == QueueKind.PRIORITY && (maxPriority < 1 || maxPriority > WireFormat.MAX_PRIORITY)) {
            throw new IllegalArgumentException("max priority of queue '" + name + "' must be 1 to "
                    + WireFormat.MAX_PRIORITY + ", was " + maxPriority);
        }
    }

    /** A quorum queue with the default delivery limit and no length limit. */
    public static WorkQueue quorum(String name) {
        return new WorkQueue(name, QueueKind.QUORUM, DEFAULT_DELIVERY_LIMIT, null, 0);
    }

    /** A classic priority queue with priorities 0 to {@code maxPriority}. */
    public static WorkQueue priority(String name, int maxPriority) {
        return new WorkQueue(name, QueueKind.PRIORITY, DEFAULT_DELIVERY_LIMIT, null, maxPriority);
    }
}
