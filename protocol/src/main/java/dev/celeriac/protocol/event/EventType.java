package dev.celeriac.protocol.event;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The kinds of Celery events, with their wire names ({@code task-succeeded}) and routing keys. */
public enum EventType {
    TASK_SENT("task-sent"),
    TASK_RECEIVED("task-received"),
    TASK_STARTED("task-started"),
    TASK_SUCCEEDED("task-succeeded"),
    TASK_FAILED("task-failed"),
    TASK_RETRIED("task-retried"),
    TASK_REVOKED("task-revoked"),
    TASK_REJECTED("task-rejected"),
    /** Celeriac's own: a running task reported progress (Celery monitors ignore unknown event types). */
    TASK_PROGRESS("task-progress"),
    WORKER_ONLINE("worker-online"),
    WORKER_HEARTBEAT("worker-heartbeat"),
    WORKER_OFFLINE("worker-offline"),
    /** Celeriac's own: a chord was accepted (sent to the ledger's queue only, never to Celery monitors). */
    WORKFLOW_CHORD("workflow-chord"),
    /** Celeriac's own: a worker declared a schedule of one of its tasks (sent to the ledger's queue only). */
    SCHEDULE_DECLARED("schedule-declared");

    /** Routing key of a message that carries a JSON list of task events, as Celery's buffered dispatcher sends. */
    public static final String TASK_BATCH_ROUTING_KEY = "task.multi";

    private static final Map<String, EventType> BY_WIRE_NAME =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(EventType::wireName, Function.identity()));

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    /** The {@code type} field of the event, e.g. {@code task-succeeded}. */
    public String wireName() {
        return wireName;
    }

    /** The routing key on the {@code celeryev} exchange, e.g. {@code task.succeeded}. */
    public String routingKey() {
        return wireName.replace('-', '.');
    }

    /** Whether this is a task event rather than a worker event. */
    public boolean isTaskEvent() {
        return wireName.startsWith("task-");
    }

    /** Returns the type with the given wire name, or {@code null} if there is none. */
    public static EventType fromWireName(String wireName) {
        return wireName == null ? null : BY_WIRE_NAME.get(wireName);
    }
}
