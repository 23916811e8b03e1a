package dev.celeriac.api.schedules;

import java.util.List;
import java.util.Map;

/**
 * A schedule, as {@code POST} and {@code PUT /api/v1/schedules} take it. Exactly one of {@code cron}, {@code every}
 * and {@code at} says when it fires.
 *
 * @param id the schedule's stable id (in the path for {@code PUT})
 * @param cron a cron expression: six fields (seconds first), five (Unix cron) or a macro such as {@code @daily}
 * @param zone the IANA time zone of {@code cron}, {@code UTC} if absent
 * @param every a fixed interval: seconds, or a duration such as {@code "90s"}, {@code "15m"}, {@code "PT1H"}
 * @param start the first slot of an interval, ISO-8601; the whole second after the schedule is defined if absent
 * @param at a one-off: the instant it fires, ISO-8601
 * @param task the registered task it submits at each slot
 * @param args positional arguments
 * @param kwargs keyword arguments
 * @param queue work queue, {@code default} if absent
 * @param priority 0 to 9
 * @param expires seconds after its slot beyond which a fired task is not run
 * @param maxRetries retries allowed, overriding the task's own policy
 * @param missed {@code run-once} (the default), {@code skip} or {@code run-each}: what becomes of slots that passed
 *     while no scheduler could fire them
 * @param startingDeadline a slot later than this (seconds or a duration) is never fired, whatever {@code missed} says
 * @param overlap {@code allow} (the default), {@code skip} or {@code replace}: what a slot does while the previous run
 *     has not finished
 * @param paused whether it is defined paused
 */
public record ScheduleRequest(
        String id,
        String cron,
        String zone,
        Object every,
        String start,
        String at,
        String task,
        List<Object> args,
        Map<String, Object> kwargs,
        String queue,
        Integer priority,
        Double expires,
        Integer maxRetries,
        String missed,
        Object startingDeadline,
        String overlap,
        Boolean paused) {}
