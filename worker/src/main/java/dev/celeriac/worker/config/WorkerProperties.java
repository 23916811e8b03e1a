package dev.celeriac.worker.config;

import dev.celeriac.protocol.control.RateLimit;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.worker.pool.PoolKind;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The worker ({@code celeriac.worker.*}).
 *
 * @param enabled Whether this application runs a worker.
 * @param hostname Node name of the worker in events and dead-letter headers; unset for {@code celeriac-<pid>@<host>}.
 * @param queues Queues to consume, by name, each with its pool; when none is configured, {@code default} with a
 *     platform pool.
 * @param shutdownGrace How long running tasks may finish after a stop request before they are handed back to their
 *     queues.
 * @param heartbeat Interval of worker-heartbeat events.
 * @param publishTimeout How long to wait for the broker's confirm of an outcome before the message is handed back.
 * @param maxAbandonedThreads Threads still running tasks abandoned at their hard time limit, per pool, past which
 *     the worker drains and exits (code 75) so that its supervisor starts a fresh one.
 * @param revocationRetention How long a revocation is remembered.
 * @param taskEvents Whether the worker sends task events (received, started, succeeded, failed, retried, revoked,
 *     rejected). Without them neither the ledger nor Celery's monitors see a task's progress (the ledger keeps it
 *     PENDING); worker heartbeats are sent either way. Off suits fleets where nobody reads task states, like a Celery
 *     worker without {@code -E}.
 * @param rateLimits Rate limits by task name, in Celery's syntax ({@code 10/s}, {@code 100/m}, {@code 1000/h}; 0 for
 *     none), per worker; they win over a task's {@code @CeleriacTask(rateLimit)}. A run asked for sooner waits in the
 *     broker's delay ladder, never in a pool slot.
 * @param globalRateLimits Rate limits by task name across the whole fleet, every worker together, in the same syntax;
 *     they win over a task's {@code @CeleriacTask(globalRateLimit)}. A task waiting for its turn is parked in the
 *     broker ({@code celeriac.ratelimit.<task>}), never in a slot; give every worker the same limits.
 */
@Validated
@ConfigurationProperties("celeriac.worker")
public record WorkerProperties(
        @DefaultValue("true") boolean enabled,
        String hostname,
        Map<String, @Valid QueueProperties> queues,
        @DefaultValue("30s") @NotNull Duration shutdownGrace,
        @DefaultValue("2s") @NotNull Duration heartbeat,
        @DefaultValue("10s") @NotNull Duration publishTimeout,
        @DefaultValue("8") @Min(1) int maxAbandonedThreads,
        @DefaultValue("24h") @NotNull Duration revocationRetention,
        @DefaultValue("true") boolean taskEvents,
        Map<String, String> rateLimits,
        Map<String, String> globalRateLimits) {

    /**
     * One consumed queue and its pool.
     *
     * @param pool Kind of pool: {@code platform} threads for CPU-bound tasks, {@code virtual} threads for I/O-bound
     *     ones.
     * @param concurrency Slots of the pool: tasks that run at once; unset for the number of cores (platform) or 1000
     *     (virtual).
     * @param lookahead Messages held beyond the free slots, so that the next task starts without a round trip; at
     *     most the concurrency.
     */
    public record QueueProperties(
            @DefaultValue("platform") @NotNull PoolKind pool,
            @Min(1) Integer concurrency,
            @DefaultValue("1") @Min(0) int lookahead) {

        /** A platform pool of one slot per core and a lookahead of one, as a queue gets when none is configured. */
        public static final QueueProperties DEFAULT = new QueueProperties(PoolKind.PLATFORM, null, 1);

        /** Slots of the pool, with the kind's default. */
        public int slots() {
            if (concurrency != null) {
                return concurrency;
            }
            return pool == PoolKind.VIRTUAL ? 1000 : Runtime.getRuntime().availableProcessors();
        }
    }

    public WorkerProperties {
        var sorted = new TreeMap<String, QueueProperties>(queues == null ? Map.of() : queues);
        if (sorted.isEmpty()) {
            sorted.put(TopologyNames.DEFAULT_QUEUE, QueueProperties.DEFAULT);
        }
        sorted.forEach((name, queue) -> {
            if (queue.lookahead() > queue.slots()) {
                throw new IllegalArgumentException("celeriac.worker.queues." + name + ".lookahead (" + queue.lookahead()
                        + ") must not exceed its concurrency (" + queue.slots() + ")");
            }
        });
        queues = new LinkedHashMap<>(sorted);
        rateLimits = checked("celeriac.worker.rate-limits.", rateLimits);
        globalRateLimits = checked("celeriac.worker.global-rate-limits.", globalRateLimits);
    }

    private static Map<String, String> checked(String prefix, Map<String, String> limits) {
        var sorted = new TreeMap<String, String>(limits == null ? Map.of() : limits);
        sorted.forEach((task, limit) -> {
            try {
                RateLimit.parse(limit);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(prefix + task + ": " + e.getMessage(), e);
            }
        });
        return sorted;
    }

    /** The configured rate limits per worker, read. */
    public Map<String, RateLimit> parsedRateLimits() {
        return parsed(rateLimits);
    }

    /** The configured rate limits across the fleet, read. */
    public Map<String, RateLimit> parsedGlobalRateLimits() {
        return parsed(globalRateLimits);
    }

    private static Map<String, RateLimit> parsed(Map<String, String> limits) {
        var parsed = new TreeMap<String, RateLimit>();
        limits.forEach((task, limit) -> parsed.put(task, RateLimit.parse(limit)));
        return parsed;
    }
}
