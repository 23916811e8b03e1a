package dev.celeriac.api.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

/**
 * A reading that costs queries, shared between callers for a while: the first caller after it has aged past
 * {@code sharedFor} reads afresh (the others wait for that reading rather than making their own), every other caller
 * gets the last one. A scrape of many gauges or many people watching one page then cost one round of queries.
 *
 * @param <T> what is read
 */
public final class SharedReading<T> {

    private record Taken<T>(Instant at, T value) {}

    private final Duration sharedFor;
    private final Clock clock;
    private final Function<Instant, T> read;
    private Taken<T> last;

    /** {@code read} is given the time of the reading. */
    public SharedReading(Duration sharedFor, Clock clock, Function<Instant, T> read) {
        this.sharedFor = sharedFor;
        this.clock = clock;
        this.read = read;
    }

    /** The last reading while it is younger than {@code sharedFor}, a fresh one otherwise. */
    public synchronized T get() {
        Instant now = clock.instant();
        if (last == null || !last.at().plus(sharedFor).isAfter(now)) {
            last = new Taken<>(now, read.apply(now));
        }
        return last.value();
    }
}
