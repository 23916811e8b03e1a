package dev.celeriac.api.internal.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FirePlanTests {

    private static final Instant ANCHOR = Instant.parse("2026-12-06T10:00:00Z");
    private static final Trigger EVERY_MINUTE = new Trigger.Every(Duration.ofMinutes(1), ANCHOR);
    private static final Duration LATE_AFTER = Duration.ofSeconds(10);

    @Test
    void aSlotOnTimeFiresUnderEveryPolicy() {
        Instant now = ANCHOR.plusMillis(40);
        for (MissedPolicy policy : MissedPolicy.values()) {
            FirePlan plan = FirePlan.of(EVERY_MINUTE, ANCHOR, now, policy, null, LATE_AFTER, 100);

            assertThat(plan.fire()).as(policy.wire()).containsExactly(ANCHOR);
            assertThat(plan.missed()).isZero();
            assertThat(plan.next()).contains(ANCHOR.plusSeconds(60));
        }
    }

    @Test
    void nothingIsDueBeforeTheSlot() {
        FirePlan plan =
                FirePlan.of(EVERY_MINUTE, ANCHOR, ANCHOR.minusMillis(1), MissedPolicy.RUN_ONCE, null, LATE_AFTER, 100);

        assertThat(plan.fire()).isEmpty();
        assertThat(plan.missed()).isZero();
        assertThat(plan.next()).contains(ANCHOR);
    }

    @Test
    void afterAnOutageRunOnceFiresTheLatestSlotOnly() {
        Instant now = ANCHOR.plusSeconds(5 * 60 + 3); // slots 10:00 to 10:05 passed

        FirePlan plan = FirePlan.of(EVERY_MINUTE, ANCHOR, now, MissedPolicy.RUN_ONCE, null, LATE_AFTER, 100);

        assertThat(plan.fire()).containsExactly(ANCHOR.plusSeconds(300));
        assertThat(plan.missed()).isEqualTo(5);
        assertThat(plan.next()).contains(ANCHOR.plusSeconds(360));
    }

    @Test
    void afterAnOutageRunEachFiresEverySlotOldestFirstUpToTheLimit() {
        Instant now = ANCHOR.plusSeconds(5 * 60 + 3);

        FirePlan all = FirePlan.of(EVERY_MINUTE, ANCHOR, now, MissedPolicy.RUN_EACH, null, LATE_AFTER, 100);
        FirePlan some = FirePlan.of(EVERY_MINUTE, ANCHOR, now, MissedPolicy.RUN_EACH, null, LATE_AFTER, 2);

        assertThat(all.fire()).hasSize(6).first().isEqualTo(ANCHOR);
        assertThat(all.missed()).isZero();
        assertThat(some.fire()).containsExactly(ANCHOR, ANCHOR.plusSeconds(60));
        assertThat(some.next()).contains(ANCHOR.plusSeconds(120));
    }

    @Test
    void afterAnOutageSkipFiresOnlyWhatIsNotLate() {
        Instant now = ANCHOR.plusSeconds(5 * 60 + 3); // only 10:05 is within 10 s

        FirePlan plan = FirePlan.of(EVERY_MINUTE, ANCHOR, now, MissedPolicy.SKIP, null, LATE_AFTER, 100);
        FirePlan allLate =
                FirePlan.of(EVERY_MINUTE, ANCHOR, now.plusSeconds(20), MissedPolicy.SKIP, null, LATE_AFTER, 100);

        assertThat(plan.fire()).containsExactly(ANCHOR.plusSeconds(300));
        assertThat(plan.missed()).isEqualTo(5);
        assertThat(allLate.fire()).isEmpty();
        assertThat(allLate.missed()).isEqualTo(6);
        assertThat(allLate.next()).contains(ANCHOR.plusSeconds(360));
    }

    @Test
    void aStartingDeadlineDropsOlderSlotsUnderEveryPolicy() {
        Instant now = ANCHOR.plusSeconds(5 * 60 + 3);
        Duration deadline = Duration.ofSeconds(90); // 10:04 and 10:05 are within it

        assertThat(FirePlan.of(EVERY_MINUTE, ANCHOR, now, MissedPolicy.RUN_EACH, deadline, LATE_AFTER, 100)
                        .fire())
                .containsExactly(ANCHOR.plusSeconds(240), ANCHOR.plusSeconds(300));
        FirePlan once = FirePlan.of(
                EVERY_MINUTE, ANCHOR, now.plusSeconds(100), MissedPolicy.RUN_ONCE, deadline, LATE_AFTER, 100);
        assertThat(once.fire()).containsExactly(ANCHOR.plusSeconds(360));
        assertThat(once.missed()).isEqualTo(6);
    }

    @Test
    void aOneOffEndsItsSchedule() {
        Instant at = ANCHOR;
        FirePlan plan =
                FirePlan.of(new Trigger.Once(at), at, at.plusSeconds(1), MissedPolicy.RUN_ONCE, null, LATE_AFTER, 100);

        assertThat(plan.fire()).containsExactly(at);
        assertThat(plan.next()).isEmpty();
    }

    @Test
    void aLongOutageIsScannedInStepsAndStillRunsOnceAtTheEnd() {
        Trigger everySecond = new Trigger.Every(Duration.ofSeconds(1), ANCHOR);
        Instant now = ANCHOR.plusSeconds(FirePlan.MAX_SCAN + 500L);

        FirePlan first = FirePlan.of(everySecond, ANCHOR, now, MissedPolicy.RUN_ONCE, null, LATE_AFTER, 100);
        FirePlan second =
                FirePlan.of(everySecond, first.next().orElseThrow(), now, MissedPolicy.RUN_ONCE, null, LATE_AFTER, 100);

        assertThat(first.fire()).isEmpty();
        assertThat(first.missed()).isEqualTo(FirePlan.MAX_SCAN);
        assertThat(second.fire()).containsExactly(now);
        assertThat(first.missed() + second.missed() + second.fire().size()).isEqualTo(FirePlan.MAX_SCAN + 501);
        assertThat(List.of(second.next().orElseThrow())).containsExactly(now.plusSeconds(1));
    }
}
