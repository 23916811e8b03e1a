package dev.celeriac.protocol.event;

import java.util.Map;

/**
 * A Celery event. Task events are about one task ({@link TaskEvent}); worker events about a worker
 * ({@link WorkerEvent}). Fields the records do not model are kept in {@link #extra()} and written back.
 */
public sealed interface CeleryEvent permits TaskEvent, WorkerEvent, WorkflowEvent, ScheduleEvent {

    /** The kind of event. */
    EventType type();

    /** Who sent the event and when. */
    EventSource source();

    /** Fields of the event that the record does not model. */
    Map<String, Object> extra();
}
