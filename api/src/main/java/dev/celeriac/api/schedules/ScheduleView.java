package dev.celeriac.api.schedules;

import dev.celeriac.api.internal.schedule.Schedule;
import dev.celeriac.api.internal.schedule.TaskTemplate;
import dev.celeriac.api.internal.schedule.Trigger;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A schedule as the API shows it: its definition, and when it fires next and fired last.
 *
 * @param every the interval as an ISO-8601 duration, for an interval schedule
 * @param start the first slot of an interval schedule
 * @param startingDeadline as an ISO-8601 duration, or {@code null}
 * @param origin {@code api} or {@code configuration}
 * @param nextFireAt the next slot it fires at, {@code null} when paused or done
 * @param lastFireAt the latest slot it fired (or was triggered at)
 * @param lastTaskId the task of that slot
 */
public record ScheduleView(
        String id,
        String cron,
        String zone,
        String every,
        Instant start,
        Instant at,
        String task,
        List<Object> args,
        Map<String, Object> kwargs,
        String queue,
        Integer priority,
        Double expires,
        Integer maxRetries,
        String missed,
        String startingDeadline,
        String overlap,
        boolean paused,
        String origin,
        Instant nextFireAt,
        Instant lastFireAt,
        String lastTaskId,
        Instant createdAt,
        Instant updatedAt) {

    static ScheduleView of(Schedule schedule) {
        Schedule.Definition definition = schedule.definition();
        Trigger trigger = definition.trigger();
        TaskTemplate task = definition.task();
        return new ScheduleView(
                schedule.id(),
                trigger instanceof Trigger.Cron cron ? cron.expression() : null,
                trigger instanceof Trigger.Cron cron ? cron.zone().getId() : null,
                trigger instanceof Trigger.Every every ? every.interval().toString() : null,
                trigger instanceof Trigger.Every every ? every.anchor() : null,
                trigger instanceof Trigger.Once once ? once.at() : null,
                task.task(),
                task.args(),
                task.kwargs(),
                task.queue(),
                task.priority(),
                task.expires(),
                task.maxRetries(),
                definition.missed().wire(),
                definition.startingDeadline() == null
                        ? null
                        : definition.startingDeadline().toString(),
                definition.overlap().wire(),
                schedule.paused(),
                schedule.origin().name().toLowerCase(Locale.ROOT),
                schedule.paused() ? null : schedule.nextSlot(),
                schedule.lastSlot(),
                schedule.lastTaskId(),
                schedule.createdAt(),
                schedule.updatedAt());
    }
}
