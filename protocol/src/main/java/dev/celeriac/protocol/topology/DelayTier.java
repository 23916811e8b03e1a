package dev.celeriac.protocol.topology;

import dev.celeriac.protocol.names.TopologyNames;
import java.time.Duration;

/**
 * One rung of the delay ladder: a fanout exchange and a queue of the same name whose messages expire after a fixed
 * TTL and are dead-lettered back to the task exchange with their original routing key, i.e. to their work queue.
 *
 * @param ttl how long a message waits in this tier
 */
public record DelayTier(Duration ttl) implements Comparable<DelayTier> {

    public DelayTier {
        if (ttl.toMillis() < 1 || ttl.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a delay tier must be between 1 ms and ~24 days, was " + ttl);
        }
    }

    /** Short label of the TTL: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}. */
    public String label() {
        long ms = ttl.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }

    /** Name of the tier's exchange and of its queue, e.g. {@code celeriac.delay.5s}. */
    public String name() {
        return TopologyNames.delayTier(label());
    }

    /** The TTL in milliseconds as a broker argument. */
    int ttlMillis() {
        return (int) ttl.toMillis();
    }

    @Override
    public int compareTo(DelayTier other) {
        return ttl.compareTo(other.ttl);
    }
}
