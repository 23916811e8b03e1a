package dev.celeriac.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.celeriac.protocol.control.RateLimit;
import dev.celeriac.worker.pool.PoolKind;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerPropertiesTests {

    private static WorkerProperties with(Map<String, WorkerProperties.QueueProperties> queues) {
        return new WorkerProperties(
                true,
                null,
                queues,
                Duration.ofSeconds(30),
                Duration.ofSeconds(2),
                Duration.ofSeconds(10),
                8,
                Duration.ofHours(24),
                true,
                Map.of(),
                Map.of());
    }

    @Test
    void consumesTheDefaultQueueWithAPlatformPoolOfOneSlotPerCoreWhenNothingIsConfigured() {
        var queue = with(null).queues().get("default");
        assertThat(queue.pool()).isEqualTo(PoolKind.PLATFORM);
        assertThat(queue.slots()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void givesVirtualPoolsAThousandSlotsByDefault() {
        var properties = with(Map.of("io", new WorkerProperties.QueueProperties(PoolKind.VIRTUAL, null, 1)));
        assertThat(properties.queues().get("io").slots()).isEqualTo(1000);
    }

    @Test
    void refusesALookaheadLargerThanThePool() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> with(Map.of("q", new WorkerProperties.QueueProperties(PoolKind.PLATFORM, 2, 3))))
                .withMessage("celeriac.worker.queues.q.lookahead (3) must not exceed its concurrency (2)");
    }

    @Test
    void refusesARateLimitItCannotReadNamingTheProperty() {
        assertThatThrownBy(() -> limits(Map.of("demo.add", "fast"), Map.of()))
                .hasMessageStartingWith("celeriac.worker.rate-limits.demo.add: 'fast' is no rate limit");
        assertThatThrownBy(() -> limits(Map.of(), Map.of("demo.add", "20/d")))
                .hasMessageStartingWith("celeriac.worker.global-rate-limits.demo.add: '20/d' is no rate limit");
    }

    @Test
    void readsPerWorkerAndGlobalLimitsApart() {
        var properties = limits(Map.of("demo.add", "10/s"), Map.of("demo.add", "120/m", "demo.echo", "1000/h"));
        assertThat(properties.parsedRateLimits()).containsExactly(Map.entry("demo.add", RateLimit.parse("10/s")));
        assertThat(properties.parsedGlobalRateLimits())
                .containsExactly(
                        Map.entry("demo.add", RateLimit.parse("2/s")),
                        Map.entry("demo.echo", RateLimit.parse("1000/h")));
    }

    private static WorkerProperties limits(Map<String, String> perWorker, Map<String, String> global) {
        return new WorkerProperties(
                true,
                null,
                null,
                Duration.ofSeconds(30),
                Duration.ofSeconds(2),
                Duration.ofSeconds(10),
                8,
                Duration.ofHours(24),
                true,
                perWorker,
                global);
    }
}
