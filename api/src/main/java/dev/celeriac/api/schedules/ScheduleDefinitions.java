package dev.celeriac.api.schedules;

import dev.celeriac.api.internal.idempotency.IdempotencyStore;
import dev.celeriac.api.internal.schedule.FireStore;
import dev.celeriac.api.internal.schedule.MissedPolicy;
import dev.celeriac.api.internal.schedule.OverlapPolicy;
import dev.celeriac.api.internal.schedule.Schedule;
import dev.celeriac.api.internal.schedule.TaskTemplate;
import dev.celeriac.api.internal.schedule.Trigger;
import dev.celeriac.api.problems.Problems;
import dev.celeriac.api.submit.SubmitPreparer;
import dev.celeriac.api.submit.SubmitRequest;
import dev.celeriac.protocol.names.NameRules;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.web.ErrorResponseException;

/**
 * Reads a schedule request into a definition, refusing with a 400 or 422 problem what would not fire as asked: a
 * schedule with no or several triggers, a cron expression or time zone that is not one, an interval under a second,
 * a policy that does not exist, or a task its submit would refuse (checked exactly as {@code POST /api/v1/tasks}
 * checks it).
 */
public final class ScheduleDefinitions {

    /** The shortest interval accepted. */
    static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

    /** Whether the task's name must be one a worker has registered. */
    public enum Names {
        /** Over REST: as for a submit. */
        REGISTERED,
        /** From configuration, read before any worker may be up: any valid name. */
        ANY
    }

    private final SubmitPreparer preparer;

    public ScheduleDefinitions(SubmitPreparer preparer) {
        this.preparer = preparer;
    }

    /**
     * @param now the time the schedule is defined, which an interval without a {@code start} counts from
     * @throws ErrorResponseException what is wrong with it
     */
    public Schedule.Definition read(ScheduleRequest request, Names names, Instant now) {
        if (request == null) {
            throw Problems.badRequest(
                    "the body must be a JSON object with an 'id', a 'task' and one of 'cron'," + " 'every' or 'at'");
        }
        long triggers = Stream.of(request.cron(), request.every(), request.at())
                .filter(t -> t != null)
                .count();
        if (triggers != 1) {
            throw Problems.invalid("give exactly one of 'cron', 'every' and 'at', not " + triggers);
        }
        if (request.zone() != null && request.cron() == null) {
            throw Problems.invalid("'zone' applies to 'cron' only");
        }
        if (request.start() != null && request.every() == null) {
            throw Problems.invalid("'start' applies to 'every' only");
        }
        var template = new TaskTemplate(
                request.task(),
                request.args(),
                request.kwargs(),
                request.queue(),
                request.priority(),
                request.expires(),
                request.maxRetries());
        check(template, names);
        return new Schedule.Definition(
                trigger(request, now),
                template,
                policy("missed", request.missed(), MissedPolicy.RUN_ONCE, MissedPolicy.of(request.missed())),
                request.startingDeadline() == null ? null : duration("startingDeadline", request.startingDeadline()),
                policy("overlap", request.overlap(), OverlapPolicy.ALLOW, OverlapPolicy.of(request.overlap())));
    }

    /** The problem with a schedule id, or {@code null}. */
    public static String idProblem(String id) {
        return NameRules.problem("schedule id", id);
    }

    private void check(TaskTemplate template, Names names) {
        var request = new SubmitRequest(
                template.task(),
                template.args(),
                template.kwargs(),
                template.queue(),
                template.priority(),
                null,
                null,
                template.expires(),
                template.maxRetries());
        if (names == Names.REGISTERED) {
            preparer.prepare(request, "check", "", (IdempotencyStore.Claim) null);
        } else {
            preparer.prepareFire(
                    request, new FireStore.Claim("check", Instant.EPOCH, "check", FireStore.Outcome.FIRED));
        }
    }

    private static Trigger trigger(ScheduleRequest request, Instant now) {
        if (request.cron() != null) {
            ZoneId zone = zone(request.zone());
            try {
                return Trigger.Cron.of(request.cron(), zone);
            } catch (IllegalArgumentException e) {
                throw Problems.invalid("'cron' is not a cron expression: " + e.getMessage());
            }
        }
        if (request.every() != null) {
            Duration interval = duration("every", request.every());
            if (interval.compareTo(MIN_INTERVAL) < 0) {
                throw Problems.invalid("'every' must be at least 1 second, was " + interval);
            }
            Instant anchor = request.start() == null
                    ? now.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1)
                    : SubmitPreparer.time("start", request.start()).truncatedTo(ChronoUnit.MILLIS);
            return new Trigger.Every(interval.truncatedTo(ChronoUnit.MILLIS), anchor);
        }
        return new Trigger.Once(SubmitPreparer.time("at", request.at()).truncatedTo(ChronoUnit.MICROS));
    }

    private static ZoneId zone(String zone) {
        if (zone == null) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(zone);
        } catch (DateTimeException e) {
            throw Problems.invalid("'zone' must be an IANA time zone such as Europe/Berlin, was '" + zone + "'");
        }
    }

    private static Duration duration(String field, Object value) {
        Duration duration;
        if (value instanceof Number seconds && Double.isFinite(seconds.doubleValue())) {
            duration = Duration.ofMillis(Math.round(seconds.doubleValue() * 1000));
        } else if (value instanceof String text) {
            try {
                duration = DurationStyle.detectAndParse(text.strip());
            } catch (IllegalArgumentException e) {
                throw Problems.invalid(
                        "'" + field + "' must be seconds or a duration such as 90s, 15m or PT1H, was '" + text + "'");
            }
        } else {
            throw Problems.invalid("'" + field + "' must be seconds or a duration such as 90s, 15m or PT1H");
        }
        if (duration.isNegative() || duration.isZero()) {
            throw Problems.invalid("'" + field + "' must be positive, was " + duration);
        }
        return duration;
    }

    private static <P extends Enum<P>> P policy(String field, String given, P fallback, Optional<P> parsed) {
        if (given == null) {
            return fallback;
        }
        return parsed.orElseThrow(() -> Problems.invalid("'" + field + "' must be one of "
                + Arrays.stream(fallback.getDeclaringClass().getEnumConstants())
                        .map(ScheduleDefinitions::wire)
                        .collect(Collectors.joining(", "))
                + ", was '" + given + "'"));
    }

    private static String wire(Enum<?> policy) {
        return switch (policy) {
            case MissedPolicy missed -> missed.wire();
            case OverlapPolicy overlap -> overlap.wire();
            default -> policy.name();
        };
    }
}
