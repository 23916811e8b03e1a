package dev.celeriac.protocol.event;

import java.util.List;
import java.util.Map;

/** An event about a worker: it came online, is alive, or went offline. */
public sealed interface WorkerEvent extends CeleryEvent {

    /** Seconds between heartbeats. */
    double freq();

    /** Software name, e.g. {@code celeriac} or {@code py-celery}. */
    String swIdent();

    /** Software version. */
    String swVer();

    /** Operating system. */
    String swSys();

    /** Celeriac's own worker details, or {@code null} for a Celery worker. */
    WorkerInfo info();

    /** The worker connected and is ready. */
    record Online(
            EventSource source,
            double freq,
            String swIdent,
            String swVer,
            String swSys,
            WorkerInfo info,
            Map<String, Object> extra)
            implements WorkerEvent {
        public Online {
            extra = Events.copy(extra);
        }

        @Override
        public EventType type() {
            return EventType.WORKER_ONLINE;
        }
    }

    /**
     * The worker is alive.
     *
     * @param active tasks running now
     * @param processed tasks finished since the worker started
     * @param loadavg the host's load averages over 1, 5 and 15 minutes
     */
    record Heartbeat(
            EventSource source,
            double freq,
            String swIdent,
            String swVer,
            String swSys,
            int active,
            long processed,
            List<Double> loadavg,
            WorkerInfo info,
            Map<String, Object> extra)
            implements WorkerEvent {
        public Heartbeat {
            loadavg = loadavg == null ? List.of() : List.copyOf(loadavg);
            extra = Events.copy(extra);
        }

        @Override
        public EventType type() {
            return EventType.WORKER_HEARTBEAT;
        }
    }

    /** The worker is shutting down. */
    record Offline(
            EventSource source,
            double freq,
            String swIdent,
            String swVer,
            String swSys,
            WorkerInfo info,
            Map<String, Object> extra)
            implements WorkerEvent {
        public Offline {
            extra = Events.copy(extra);
        }

        @Override
        public EventType type() {
            return EventType.WORKER_OFFLINE;
        }
    }
}
