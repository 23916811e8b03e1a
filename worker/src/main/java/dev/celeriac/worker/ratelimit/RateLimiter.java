package dev.celeriac.worker.ratelimit;

import dev.celeriac.protocol.control.RateLimit;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * The rate limits of this worker's task types, and when each may start again. A task type starts at most once every
 * {@code 1 / limit} seconds (a bucket of one token, as Celery's): a run asked for sooner is told how long until it may,
 * and goes round the broker's delay ladder for that long instead of waiting in a slot or in memory. Limits come from
 * the configuration, else from the task's {@code @CeleriacTask(rateLimit)}, and change while the worker runs (Celery's
 * {@code rate_limit} control command).
 */
public final class RateLimiter {

    private final Map<String, RateLimit> configured;
    private final LongSupplier nanoTime;
    private final BiConsumer<String, RateLimit> inForce;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /**
     * @param configured limits by task name that win over the tasks' own
     * @param nanoTime the clock ({@link System#nanoTime()})
     * @param inForce told each limit as it comes into force (a configured one at once, a declared one when its task
     *     first runs, a set one when it is set), to show it
     */
    public RateLimiter(
            Map<String, RateLimit> configured, LongSupplier nanoTime, BiConsumer<String, RateLimit> inForce) {
        this.configured = Map.copyOf(configured);
        this.nanoTime = nanoTime;
        this.inForce = inForce;
        this.configured.forEach(inForce);
    }

    /**
     * Takes the turn of one run of {@code task}.
     *
     * @param declared the limit the task declares, used unless one is configured or set
     * @return {@link Duration#ZERO} if it may start now, else how long until it may
     */
    public Duration admit(String task, RateLimit declared) {
        Bucket bucket = buckets.computeIfAbsent(task, name -> {
            RateLimit limit = configured.getOrDefault(name, declared);
            if (limit.limits() && !configured.containsKey(name)) {
                inForce.accept(name, limit);
            }
            return new Bucket(limit);
        });
        return bucket.take(nanoTime.getAsLong());
    }

    /** Sets the limit of a task type from now on, whatever it was configured or declared with. */
    public void set(String task, RateLimit limit) {
        buckets.put(task, new Bucket(limit));
        inForce.accept(task, limit);
    }

    /** The limits in force, by task name, of the task types that have one (a declared one once the task has run). */
    public Map<String, RateLimit> limits() {
        var limits = new TreeMap<String, RateLimit>();
        configured.forEach((task, limit) -> limits.put(task, limit));
        buckets.forEach((task, bucket) -> limits.put(task, bucket.limit));
        limits.values().removeIf(limit -> !limit.limits());
        return limits;
    }

    private static final class Bucket {
        final RateLimit limit;
        private final long intervalNanos;
        private long nextNanos = Long.MIN_VALUE;

        Bucket(RateLimit limit) {
            this.limit = limit;
            this.intervalNanos = limit.limits() ? Math.max(1, Math.round(1e9 / limit.perSecond())) : 0;
        }

        synchronized Duration take(long now) {
            if (intervalNanos == 0) {
                return Duration.ZERO;
            }
            if (nextNanos == Long.MIN_VALUE || now - nextNanos >= 0) {
                nextNanos = now + intervalNanos;
                return Duration.ZERO;
            }
            return Duration.ofNanos(nextNanos - now);
        }
    }
}
