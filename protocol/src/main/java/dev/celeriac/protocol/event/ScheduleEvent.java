package dev.celeriac.protocol.event;

import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * Celeriac's own events about periodic tasks, sent straight to the ledger's event queue (Celery monitors never see
 * them).
 */
public sealed interface ScheduleEvent extends CeleryEvent {

    /**
     * A worker declares a schedule of one of its tasks ({@code @CeleriacSchedule}) as it starts; the ledger adds it,
     * or replaces the one a worker declared before if it changed.
     *
     * @param schedule the schedule, in the shape {@code POST /api/v1/schedules} takes ({@code id}, {@code cron} or
     *     {@code every}, {@code task}, ...)
     */
    record Declared(EventSource source, JsonNode schedule, Map<String, Object> extra) implements ScheduleEvent {
        public Declared {
            Objects.requireNonNull(schedule, "schedule");
            extra = Events.copy(extra);
        }

        @Override
        public EventType type() {
            return EventType.SCHEDULE_DECLARED;
        }
    }
}
