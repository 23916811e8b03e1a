package dev.celeriac.protocol.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import org.junit.jupiter.api.Test;

class RateLimitTests {

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
}
