package dev.celeriac.api.internal.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import org.springframework.scheduling.support.CronExpression;

/**
 * When a schedule's slots fall: a pure function from an instant to the schedule's next slot after it.
 *
 * <p>Daylight saving time, for cron schedules, follows Vixie cron. A schedule at fixed hours (the hour field names
 * hours: {@code 2}, {@code 1,13}, {@code 2-4}) fires once for each local time it names: a local time the clock
 * skips fires once, at the moment the clock jumps (a 02:30 schedule fires at 03:00 on the day 02:00 becomes 03:00),
 * and a local time the clock passes twice fires the first time only. A schedule over every hour ({@code *} or a
 * step such as {@code *}{@code /2}) follows real time instead: it fires through a repeated hour both times, and has
 * nothing to fire in a skipped one.
 */
public sealed interface Trigger {

    /** The first slot strictly after {@code after}, if the schedule has one. */
    Optional<Instant> nextAfter(Instant after);

    /** The first slot at or after {@code from}. */
    default Optional<Instant> firstFrom(Instant from) {
        return nextAfter(from.minusNanos(1));
    }

    /**
     * A cron expression in a time zone.
     *
     * @param expression six fields (seconds first, as Spring's {@link CronExpression}), five (Unix cron: fired at
     *     second 0), or a macro such as {@code @hourly}
     */
    record Cron(String expression, ZoneId zone, CronExpression cron, boolean fixedHours) implements Trigger {

        /**
         * @throws IllegalArgumentException if the expression is not valid cron
         */
        public static Cron of(String expression, ZoneId zone) {
            String trimmed = expression.strip();
            String[] fields = trimmed.split("\\s+");
            String six = fields.length == 5 ? "0 " + trimmed : trimmed;
            CronExpression cron = CronExpression.parse(six);
            String hours = six.startsWith("@") ? macroHours(six) : six.split("\\s+")[2];
            return new Cron(trimmed, zone, cron, !hours.contains("*") && !hours.contains("/"));
        }

        private static String macroHours(String macro) {
            return macro.toLowerCase(Locale.ROOT).equals("@hourly") ? "*" : "0";
        }

        @Override
        public Optional<Instant> nextAfter(Instant after) {
            ZonedDateTime from = after.atZone(zone);
            while (true) {
                ZonedDateTime next = cron.next(from);
                if (next == null) {
                    return Optional.empty();
                }
                if (fixedHours) {
                    Optional<Instant> jump = skippedSlot(after, next.toInstant());
                    if (jump.isPresent()) {
                        return jump;
                    }
                    if (secondOfTwo(next)) {
                        from = next;
                        continue;
                    }
                }
                return Optional.of(next.toInstant());
            }
        }

        /**
         * A gap of the zone after {@code after} and before {@code next} in which the expression names a local time:
         * its slot is the moment the clock jumps.
         */
        private Optional<Instant> skippedSlot(Instant after, Instant next) {
            ZoneOffsetTransition transition = zone.getRules().nextTransition(after);
            while (transition != null && !transition.getInstant().isAfter(next)) {
                if (transition.isGap()) {
                    LocalDateTime start = transition.getDateTimeBefore();
                    LocalDateTime named = cron.next(start.minusNanos(1));
                    if (named != null && named.isBefore(transition.getDateTimeAfter())) {
                        return Optional.of(transition.getInstant());
                    }
                }
                transition = zone.getRules().nextTransition(transition.getInstant());
            }
            return Optional.empty();
        }

        /** Whether this is the second time the clock shows this local time (the later of an overlap's offsets). */
        private boolean secondOfTwo(ZonedDateTime slot) {
            var offsets = zone.getRules().getValidOffsets(slot.toLocalDateTime());
            if (offsets.size() < 2) {
                return false;
            }
            // The larger offset shows the local time first.
            ZoneOffset first = offsets.stream()
                    .max(Comparator.comparingInt(ZoneOffset::getTotalSeconds))
                    .orElseThrow();
            return !slot.getOffset().equals(first);
        }
    }

    /**
     * Every {@code interval}, from {@code anchor} on: slots at {@code anchor + k × interval}.
     */
    record Every(Duration interval, Instant anchor) implements Trigger {

        public Every {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("an interval must be positive, was " + interval);
            }
        }

        @Override
        public Optional<Instant> nextAfter(Instant after) {
            if (after.isBefore(anchor)) {
                return Optional.of(anchor);
            }
            long step = interval.toNanos();
            long since = Duration.between(anchor, after).toNanos();
            return Optional.of(anchor.plusNanos((since / step + 1) * step));
        }
    }

    /** Once, at {@code at}. */
    record Once(Instant at) implements Trigger {

        @Override
        public Optional<Instant> nextAfter(Instant after) {
            return after.isBefore(at) ? Optional.of(at) : Optional.empty();
        }
    }
}
