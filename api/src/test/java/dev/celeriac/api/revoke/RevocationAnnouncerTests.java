package dev.celeriac.api.revoke;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.api.internal.ledger.TestLedgers;
import dev.celeriac.testsupport.time.MovingClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * How often a revocation is announced again, on an embedded ledger migrated by the real scripts and a clock the test
 * moves: a worker that reads back a quarter horizon of the stream must find every revocation still needed, so two
 * announcements are never more than a quarter horizon apart, wherever the revoke falls between the announcer's checks.
 */
class RevocationAnnouncerTests {

    private static final Duration HORIZON = Duration.ofSeconds(20);

    private RevocationStore store;

    @BeforeEach
    void migrate() {
        DataSource dataSource = TestLedgers.h2();
        TestLedgers.migrate(dataSource);
        store = new RevocationStore(JdbcClient.create(new JdbcTemplate(dataSource)));
    }

    @Test
    void announcesARevocationAgainWithinAQuarterHorizonWhereverTheRevokeFallsBetweenChecks() {
        var clock = new MovingClock();
        var announcedAt = new ArrayList<Instant>();
        var watched = new String[1];
        var announcer = new RevocationAnnouncer(
                store,
                revoke -> {
                    if (revoke.taskIds().contains(watched[0])) {
                        announcedAt.add(clock.instant());
                    }
                },
                HORIZON,
                clock);
        Duration check = announcer.check();
        assertThat(check).isEqualTo(Duration.ofMillis(2_500));
        int steps = 10;
        for (int step = 0; step < steps; step++) {
            // The revoke falls a tenth of a check further after a check each time; the checks then come on time.
            Duration phase = check.multipliedBy(step).dividedBy(steps).plusMillis(1);
            clock.advance(phase);
            String id = "task-" + step;
            watched[0] = id;
            store.record(id, false, clock.instant());
            store.announced(id, clock.instant());
            announcedAt.clear();
            announcedAt.add(clock.instant());
            clock.advance(check.minus(phase));
            for (Duration run = Duration.ZERO;
                    run.compareTo(HORIZON.multipliedBy(3).dividedBy(4)) < 0;
                    run = run.plus(check)) {
                clock.advance(check);
                announcer.runOnce();
            }
            assertThat(announcedAt)
                    .as("announced at, revoked %s after a check", phase)
                    .hasSizeGreaterThanOrEqualTo(3);
            assertThat(largestGap(announcedAt))
                    .as("longest time between announcements, revoked %s after a check", phase)
                    .isLessThanOrEqualTo(announcer.interval());
        }
    }

    private static Duration largestGap(List<Instant> times) {
        Duration largest = Duration.ZERO;
        for (int i = 1; i < times.size(); i++) {
            Duration gap = Duration.between(times.get(i - 1), times.get(i));
            largest = gap.compareTo(largest) > 0 ? gap : largest;
        }
        return largest;
    }
}
