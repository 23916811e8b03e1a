package dev.celeriac.worker.internal.consume;

import dev.celeriac.protocol.message.CeleryTimes;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.names.EventFields;
import dev.celeriac.protocol.names.MessageHeaders;
import java.util.LinkedHashMap;
import java.util.Map;

/** The fields Celeriac adds to the task events a worker sends, beside Celery's own. */
final class TaskEvents {

    private TaskEvents() {}

    /**
     * The attempt an event belongs to, for the ledger's merge: Celery's own task events carry {@code retries} only on
     * {@code task-received}; Celeriac adds it to every task event (on {@code task-retried}, the next attempt's).
     */
    static Map<String, Object> attempt(TaskMessage task) {
        return Map.of(EventFields.RETRIES, task.headers().retries(), EventFields.REPLAY, replayOf(task));
    }

    /**
     * The fields of a task event with the run it is about added: how many times the API replayed the task from a
     * dead letter before this message, so that the ledger ranks a replayed run's events above the runs before it.
     */
    static Map<String, Object> withRun(TaskMessage task, Map<String, Object> fields) {
        var withRun = new LinkedHashMap<String, Object>(fields);
        withRun.put(EventFields.REPLAY, replayOf(task));
        return withRun;
    }

    /** The task's eta as Celery writes it in events, or {@code null}. */
    static String etaText(TaskMessage task) {
        return task.headers().eta() == null
                ? null
                : CeleryTimes.format(task.headers().eta());
    }

    /** An exception as Celery's events name it: {@code ValueError('message')}. */
    static String celeryException(Throwable failure) {
        String message =
                failure.getMessage() == null ? "" : failure.getMessage().replace("'", "\\'");
        return failure.getClass().getSimpleName() + "('" + message + "')";
    }

    private static int replayOf(TaskMessage task) {
        return task.headers().extra().get(MessageHeaders.REPLAY) instanceof Number n ? n.intValue() : 0;
    }
}
