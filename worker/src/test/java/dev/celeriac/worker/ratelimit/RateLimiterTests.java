package dev.celeriac.worker.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.protocol.control.RateLimit;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTests {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Map<String, RateLimit> inForce = new TreeMap<>();

    @Test
    void startsATaskTypeAtMostOncePerIntervalAndSaysHowLongTheNextWaits() {
        var limiter = new RateLimiter(Map.of(), now::get, inForce::put);
        RateLimit fourPerSecond = RateLimit.parse("4/s");

        assertThat(limiter.admit("t", fourPerSecond)).isZero();
        assertThat(limiter.admit("t", fourPerSecond)).isEqualTo(Duration.ofMillis(250));
        now.addAndGet(Duration.ofMillis(100).toNanos());
        assertThat(limiter.admit("t", fourPerSecond)).isEqualTo(Duration.ofMillis(150));
        now.addAndGet(Duration.ofMillis(150).toNanos());
        assertThat(limiter.admit("t", fourPerSecond)).isZero();
        // A type without a limit, or another type, is never held up by this one.
        assertThat(limiter.admit("u", RateLimit.NONE)).isZero();
        assertThat(limiter.admit("u", RateLimit.NONE)).isZero();
    }

    @Test
    void anIdleTypeDoesNotSaveUpABurst() {
        var limiter = new RateLimiter(Map.of(), now::get, inForce::put);
        RateLimit onePerSecond = RateLimit.parse("1/s");
        assertThat(limiter.admit("t", onePerSecond)).isZero();

        now.addAndGet(Duration.ofMinutes(1).toNanos());

        assertThat(limiter.admit("t", onePerSecond)).isZero();
        assertThat(limiter.admit("t", onePerSecond)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void theConfigurationWinsOverTheDeclaredLimitAndASetLimitOverBoth() {
        var limiter = new RateLimiter(Map.of("t", RateLimit.parse("2/s")), now::get, inForce::put);
        assertThat(inForce).containsExactly(Map.entry("t", RateLimit.parse("2/s")));

        assertThat(limiter.admit("t", RateLimit.parse("100/s"))).isZero();
        assertThat(limiter.admit("t", RateLimit.parse("100/s"))).isEqualTo(Duration.ofMillis(500));
        assertThat(limiter.limits()).containsEntry("t", RateLimit.parse("2/s"));

        limiter.set("t", RateLimit.NONE);

        assertThat(limiter.admit("t", RateLimit.parse("100/s"))).isZero();
        assertThat(limiter.admit("t", RateLimit.parse("100/s"))).isZero();
        assertThat(limiter.limits()).isEmpty();
        assertThat(inForce).containsExactly(Map.entry("t", RateLimit.NONE));
    }

    @Test
    void tellsEachLimitAsItComesIntoForceAndNoneForATypeWithout() {
        var limiter = new RateLimiter(Map.of(), now::get, inForce::put);
        assertThat(inForce).isEmpty();

        limiter.admit("t", RateLimit.parse("3/s"));
        limiter.admit("u", RateLimit.NONE);
        assertThat(inForce).containsExactly(Map.entry("t", RateLimit.parse("3/s")));

        limiter.set("u", RateLimit.parse("1/m"));
        assertThat(inForce).containsEntry("u", RateLimit.parse("1/m")).hasSize(2);
    }
}
