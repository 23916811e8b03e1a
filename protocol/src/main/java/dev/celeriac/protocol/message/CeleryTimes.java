package dev.celeriac.protocol.message;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * Date-times as Celery writes them: Python's {@code datetime.isoformat()} of an aware UTC time, e.g.
 * {@code 2030-01-02T03:04:05.678000+00:00}. Python's own parser (before 3.11) accepts only this shape, so Celeriac
 * writes exactly it; it reads any ISO-8601 offset date-time, and a time without offset as UTC (Celery with
 * {@code enable_utc}).
 */
public final class CeleryTimes {

    private static final DateTimeFormatter WHOLE_SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'+00:00'");
    private static final DateTimeFormatter MICROSECONDS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'+00:00'");

    private CeleryTimes() {}

    /** Formats the instant as Python's {@code isoformat()} of a UTC datetime, to the microsecond. */
    public static String format(Instant instant) {
        var utc = instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
        return (utc.getNano() == 0 ? WHOLE_SECONDS : MICROSECONDS).format(utc);
    }

    /**
     * Parses an ISO-8601 date-time; one without an offset is taken as UTC.
     *
     * @throws DateTimeParseException if the text is no ISO-8601 date-time
     */
    public static Instant parse(String text) {
        String iso =
                text.length() > 10 && text.charAt(10) == ' ' ? text.substring(0, 10) + 'T' + text.substring(11) : text;
        try {
            return OffsetDateTime.parse(iso).toInstant();
        } catch (DateTimeParseException withoutOffset) {
            return LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
        }
    }
}
