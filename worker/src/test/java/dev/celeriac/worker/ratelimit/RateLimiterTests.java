package dev.celeriac.worker.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTests {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void readsCelerysSyntax() {
        assertThat(RateLimit.parse("10/s").perSecond()).isEqualTo(10);
        assertThat(RateLimit.parse("120/m").perSecond()).isEqualTo(2);
        assertThat(RateLimit.parse("1800/h").perSecond()).isEqualTo(0.5);
        assertThat(RateLimit.parse("2.5").perSecond()).isEqualTo(2.5);
        assertThat(RateLimit.parse(" 100 / M ").perSecond()).isCloseTo(100 / 60.0, offset(1e-9));
        assertThat(RateLimit.parse("").limits()).isFalse();
        assertThat(RateLimit.parse("0").limits()).isFalse();
        assertThatThrownBy(() -> RateLimit.parse("ten a second"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'ten a second' is no rate limit")
                .hasMessageContaining("10/s");
        assertThatThrownBy(() -> RateLimit.parse("10/d")).hasMessageContaining("'10/d'");
    }

    @Test
    void startsATaskTypeAtMostOncePerIntervalAndSaysHowLongTheNextWaits() {
        var limiter = new RateLimiter(Map.of(), now::get);
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
        var limiter = new RateLimiter(Map.of(), now::get);
        RateLimit onePerSecond = RateLimit.parse("1/s");
        assertThat(limiter.admit("t", onePerSecond)).isZero();

        now.addAndGet(Duration.ofMinutes(1).toNanos());

        assertThat(limiter.admit("t", onePerSecond)).isZero();
        assertThat(limiter.admit("t", onePerSecond)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void theConfigurationWinsOverTheDeclaredLimitAndASetLimitOverBoth() {
        var limiter = new RateLimiter(Map.of("t", RateLimit.parse("2/s")), now::get);

        assertThat(limiter.admit("t", RateLimit.parse("100/s"))).isZero();
        assertThat(limiter.admit("t", RateLimit.parse("100/s"))).isEqualTo(Duration.ofMillis(500));
        assertThat(limiter.limits()).containsEntry("t", RateLimit.parse("2/s"));

        limiter.set("t", RateLimit.NONE);

        assertThat(limiter.admit("t", RateLimit.parse("100/s"))).isZero();
        assertThat(limiter.admit("t", RateLimit.parse("100/s"))).isZero();
        assertThat(limiter.limits()).isEmpty();
    }
}
