package dev.celeriac.protocol.control;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A rate limit in Celery's syntax and meaning: {@code "10/s"}, {@code "100/m"}, {@code "1000/h"}, or a bare number of
 * tasks per second; {@code ""} or {@code "0"} for no limit. Celery's {@code rate_limit} command carries one; a worker
 * applies it per worker, as Celery does, and a global limit across the fleet in the same syntax.
 *
 * @param perSecond tasks per second, 0 for no limit
 */
public record RateLimit(double perSecond) {

    /** No limit. */
    public static final RateLimit NONE = new RateLimit(0);

    private static final Pattern SYNTAX = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(?:/\\s*([smh]))?");

    public RateLimit {
        if (!(perSecond >= 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("a rate limit is 0 or more tasks per second, was " + perSecond);
        }
    }

    /**
     * Reads a rate limit as Celery writes one.
     *
     * @throws IllegalArgumentException naming the text and the syntax, if it is none
     */
    public static RateLimit parse(String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        var matcher = SYNTAX.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is no rate limit: write tasks per second, minute or hour,"
                            + " as in 10/s, 100/m or 1000/h (a bare number is per second, 0 is no limit)");
        }
        double count = Double.parseDouble(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        return new RateLimit(
                switch (unit) {
                    case "m" -> count / 60;
                    case "h" -> count / 3600;
                    default -> count;
                });
    }

    /** Whether it limits at all. */
    public boolean limits() {
        return perSecond > 0;
    }
}
