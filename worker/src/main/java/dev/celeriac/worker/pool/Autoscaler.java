package dev.celeriac.worker.pool;

import java.time.Duration;

/**
 * Celery's autoscaling for a pool, with its meaning: the pool grows at once to the tasks it has to run (running plus
 * waiting for a slot), up to {@code max}; it shrinks back towards {@code min} only once it has not grown for a
 * keepalive of 30 s, so a pool does not shrink between two bursts of a steady load. A pure rule: the worker asks it
 * every second for each pool's size and resizes the pool to it.
 *
 * @param max the most slots
 * @param min the fewest slots
 */
public record Autoscaler(int max, int min) {

    /** How long after its last growth a pool may shrink, as Celery's {@code AUTOSCALE_KEEPALIVE}. */
    public static final Duration KEEPALIVE = Duration.ofSeconds(30);

    public Autoscaler {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException("autoscale needs 1 <= min <= max, was max=" + max + " min=" + min);
        }
    }

    /**
     * The size a pool should have now.
     *
     * @param size its slots now
     * @param tasks the tasks it has to run: running plus waiting for a slot
     * @param sinceGrown how long since it last grew
     */
    public int size(int size, int tasks, Duration sinceGrown) {
        int wanted = Math.clamp(tasks, min, max);
        if (wanted > size || size < min) {
            return Math.max(wanted, min);
        }
        if (size > max) {
            return max;
        }
        if (wanted < size && sinceGrown.compareTo(KEEPALIVE) > 0) {
            return wanted;
        }
        return size;
    }
}
