package dev.celeriac.worker.internal.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.testsupport.time.MovingClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How long a worker remembers revocations: until the time each says, so that memory holds only what can matter. */
class RevocationsTests {

    @Test
    void keepsARevocationUntilItsTimeAndForgetsItAfter() {
        var clock = new MovingClock();
        var revocations = new Revocations(Duration.ofHours(24), clock);
        revocations.revoke("far", false, clock.instant().plus(Duration.ofDays(30)));
        revocations.revoke("soon", false, clock.instant().plus(Duration.ofMinutes(5)));
        revocations.revoke("default", false);

        clock.advance(Duration.ofMinutes(6));
        revocations.expire();
        assertThat(revocations.ids()).containsExactlyInAnyOrder("far", "default");

        clock.advance(Duration.ofHours(24));
        revocations.expire();
        assertThat(revocations.ids()).containsExactly("far");

        clock.advance(Duration.ofDays(30));
        revocations.expire();
        assertThat(revocations.size()).isZero();
    }

    @Test
    void extendsARevocationAnnouncedAgainAndNeverShortensIt() {
        var clock = new MovingClock();
        var revocations = new Revocations(Duration.ofHours(24), clock);
        Instant first = clock.instant().plus(Duration.ofHours(6));
        revocations.revoke("t", false, first);
        revocations.revoke("t", true, clock.instant().plus(Duration.ofHours(1)));
        assertThat(revocations.all().get("t").until()).isEqualTo(first);
        assertThat(revocations.all().get("t").terminate()).isTrue();

        Instant later = clock.instant().plus(Duration.ofHours(12));
        revocations.revoke("t", false, later);
        assertThat(revocations.all().get("t").until()).isEqualTo(later);
        assertThat(revocations.all().get("t").terminate()).isTrue();
    }
}
