package dev.celeriac.protocol.event;

import dev.celeriac.protocol.message.CeleryTimes;
import dev.celeriac.protocol.message.TaskHeaders;
import dev.celeriac.protocol.message.TaskMessage;
import java.util.Map;

/** An event about one task. Its {@code uuid} is the task id. */
public sealed interface TaskEvent extends CeleryEvent {

    /** The task id. */
    String uuid();

    /**
     * A task was published. Celery clients send it when {@code task_send_sent_event} is on.
     *
     * @param args printable positional arguments
     * @param kwargs printable keyword arguments
     */
    record Sent(
            EventSource source,
            String uuid,
            String name,
            String args,
            String kwargs,
            int retries,
            String eta,
            String expires,
            String queue,
            String exchange,
            String routingKey,
            String rootId,
            String parentId,
            Map<String, Object> extra)
            implements TaskEvent {
        public Sent {
            extra = Events.copy(extra);
        }

        /** The event of a task message sent to {@code queue} through {@code exchange}, routed by the queue's name. */
        public static Sent of(EventSource source, TaskMessage message, String queue, String exchange) {
            TaskHeaders h = message.headers();
            return new Sent(
                    source,
                    h.id(),
                    h.task(),
                    h.argsrepr(),
                    h.kwargsrepr(),
                    h.retries(),
                    h.eta() == null ? null : CeleryTimes.format(h.eta()),
                    h.expires() == null ? null : CeleryTimes.format(h.expires()),
                    queue,
                    exchange,
                    queue,
                    h.rootId(),
                    h.parentId(),
                    Map.of());
        }

        @Override
        public EventType type() {
            return EventType.TASK_SENT;
        }
    }

    /**
     * A worker took the task from its queue.
     *
     * @param args printable positional arguments
     * @param kwargs printable keyword arguments
     */
    record Received(
            EventSource source,
            String uuid,
            String name,
            String args,
            String kwargs,
            int retries,
            String eta,
            String rootId,
            String parentId,
            Map<String, Object> extra)
            implements TaskEvent {
        public Received {
            extra = Events.copy(extra);
        }

        @Override
        public EventType type() {
            return EventType.TASK_RECEIVED;
        }
    }

    /** A worker started running the task. */
    record Started(EventSource source, String uuid, Map<String, Object> extra) implements TaskEvent {
        public Started {
            extra = Events.copy(extra);
        }

        @Override
        public EventType type() {
            return EventType.TASK_STARTED;
        }
    }

    /**
     * The task returned.
     *
     * @param result the result as text (Celery writes Python's repr; Celeriac writes JSON)
     * @param runtime seconds the task ran
     */
    record Succeeded(EventSource source, String uuid, String result, double runtime, Map<String, Object> extra)
            implements TaskEvent {
        public Succeeded {
            extra = Events.copy(extra);
        }

        @Override
        public EventType type() {
            return EventType.TASK_SUCCEEDED;
        }
    }

    /**
     * The task failed for good.
     *
     * @param exception the exception, as {@code Type('message')} in Celery's style
     * @param traceback the stack trace as text
     */
    record Failed(EventSource source, String uuid, String exception, String traceback, Map<String, Object> extra)
            implements TaskEvent {
        public Failed {
            extra = Events.copy(extra);
        }

        @Override
        public EventType type() {
            return EventType.TASK_FAILED;
        }
    }

    /**
     * The task failed and will run again.
     *
     * @param exception the exception, as {@code Type('message')}
     * @param traceback the stack trace as text
     */
    record Retried(EventSource source, String uuid, String exception, String traceback, Map<String, Object> extra)
            implements TaskEvent {
        public Retried {
            extra = Events.copy(extra);
        }

        @Override
        public EventType type() {
            return EventType.TASK_RETRIED;
        }
    }

    /**
     * The task was revoked, or had expired, and will not run.
     *
     * @param terminated whether a running task was interrupted
     * @param signum the signal used to terminate it, or {@code null}
     * @param expired whether it was revoked because it had expired
     */
    record Revoked(
            EventSource source,
            String uuid,
            boolean terminated,
            String signum,
            boolean expired,
            Map<String, Object> extra)
            implements TaskEvent {
        public Revoked {
            extra = Events.copy(extra);
        }

        @Override
        public EventType type() {
            return EventType.TASK_REVOKED;
        }
    }

    /**
     * A worker rejected the task message.
     *
     * @param requeue whether the message was given back to its queue
     */
    record Rejected(EventSource source, String uuid, boolean requeue, Map<String, Object> extra) implements TaskEvent {
        public Rejected {
            extra = Events.copy(extra);
        }

        @Override
        public EventType type() {
            return EventType.TASK_REJECTED;
        }
    }

    /**
     * A running task reported how far it is (Celeriac's counterpart of Celery's {@code update_state}).
     *
     * @param progress what the task reported, as JSON text
     */
    record Progress(EventSource source, String uuid, String progress, Map<String, Object> extra) implements TaskEvent {
        public Progress {
            extra = Events.copy(extra);
        }

        @Override
        public EventType type() {
            return EventType.TASK_PROGRESS;
        }
    }
}
