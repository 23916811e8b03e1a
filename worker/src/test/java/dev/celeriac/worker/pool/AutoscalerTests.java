package dev.celeriac.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AutoscalerTests {

    private final Autoscaler autoscale = new Autoscaler(10, 2);
    private static final Duration JUST_GROWN = Duration.ofSeconds(1);
    private static final Duration LONG_AGO = Duration.ofMinutes(1);

    @Test
    void growsAtOnceToTheTasksItHasToRunUpToItsMax() {
        assertThat(autoscale.size(2, 3, JUST_GROWN)).isEqualTo(3);
        assertThat(autoscale.size(3, 9, JUST_GROWN)).isEqualTo(9);
        assertThat(autoscale.size(9, 50, JUST_GROWN)).isEqualTo(10);
        assertThat(autoscale.size(10, 50, LONG_AGO)).isEqualTo(10);
    }

    @Test
    void shrinksTowardsItsMinOnlyAfterTheKeepaliveSinceItLastGrew() {
        assertThat(autoscale.size(8, 1, JUST_GROWN)).isEqualTo(8);
        assertThat(autoscale.size(8, 1, Autoscaler.KEEPALIVE)).isEqualTo(8);
        assertThat(autoscale.size(8, 5, LONG_AGO)).isEqualTo(5);
        assertThat(autoscale.size(8, 0, LONG_AGO)).isEqualTo(2);
    }

    @Test
    void bringsAPoolOutsideItsBoundsBackInsideAtOnce() {
        assertThat(autoscale.size(1, 0, JUST_GROWN)).isEqualTo(2);
        assertThat(autoscale.size(16, 16, JUST_GROWN)).isEqualTo(10);
    }

    @Test
    void refusesBoundsThatCannotHold() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Autoscaler(2, 3))
                .withMessage("autoscale needs 1 <= min <= max, was max=2 min=3");
        assertThatIllegalArgumentException().isThrownBy(() -> new Autoscaler(4, 0));
    }
}
