package dev.celeriac.api.schedules;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Schedules defined in configuration ({@code celeriac.schedules.<id>.*}), upserted by id when the API starts: a
 * schedule not stored yet is added, one whose definition changed is replaced (its next slot counted from then), one
 * that is the same keeps its place. A schedule removed from configuration stays until it is deleted over REST; one
 * paused over REST stays paused.
 *
 * @param schedules the schedules by id
 */
@ConfigurationProperties("celeriac")
public record ScheduleProperties(Map<String, Entry> schedules) {

    public ScheduleProperties {
        schedules = schedules == null ? Map.of() : Map.copyOf(schedules);
    }

    /**
     * One schedule; exactly one of {@code cron}, {@code every} and {@code at}.
     *
     * @param cron A cron expression: six fields (seconds first), five (Unix cron) or a macro such as {@code @daily}.
     * @param zone The IANA time zone of {@code cron}; UTC if absent.
     * @param every A fixed interval, such as {@code 30s} or {@code 15m}.
     * @param start The first slot of an interval, ISO-8601; the whole second after the first start if absent.
     * @param at A one-off: the instant it fires, ISO-8601.
     * @param task The registered task it submits.
     * @param args Positional arguments, as a JSON array, e.g. {@code [2, 3]}.
     * @param kwargs Keyword arguments, as a JSON object.
     * @param queue Work queue; {@code default} if absent.
     * @param priority 0 to 9.
     * @param expires How long after its slot a fired task may still start.
     * @param maxRetries Retries allowed, overriding the task's own policy.
     * @param missed {@code run-once} (the default), {@code skip} or {@code run-each}.
     * @param startingDeadline A slot later than this is never fired.
     * @param overlap {@code allow} (the default), {@code skip} or {@code replace}.
     * @param paused Whether it is added paused.
     */
    public record Entry(
            String cron,
            String zone,
            Duration every,
            String start,
            String at,
            String task,
            String args,
            String kwargs,
            String queue,
            Integer priority,
            Duration expires,
            Integer maxRetries,
            String missed,
            Duration startingDeadline,
            String overlap,
            Boolean paused) {}
}
