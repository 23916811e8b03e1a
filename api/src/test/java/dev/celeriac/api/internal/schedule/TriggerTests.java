package dev.celeriac.api.internal.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TriggerTests {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    @Test
    void aDailyScheduleInASkippedHourFiresOnceWhenTheClockJumps() {
        // 2026-03-29: Berlin's clocks go from 02:00 to 03:00 (01:00 UTC); 02:30 never shows.
        var trigger = Trigger.Cron.of("0 30 2 * * *", BERLIN);

        assertThat(slots(trigger, "2026-03-27T12:00:00Z", 4))
                .containsExactly(
                        "2026-03-28T01:30:00Z", // 02:30 CET
                        "2026-03-29T01:00:00Z", // the jump: 03:00 CEST
                        "2026-03-30T00:30:00Z", // 02:30 CEST
                        "2026-03-31T00:30:00Z");
    }

    @Test
    void aDailyScheduleInARepeatedHourFiresTheFirstTimeOnly() {
        // 2026-10-25: Berlin's clocks go from 03:00 back to 02:00 (01:00 UTC); 02:30 shows twice.
        var trigger = Trigger.Cron.of("0 30 2 * * *", BERLIN);

        assertThat(slots(trigger, "2026-10-24T12:00:00Z", 2))
                .containsExactly("2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z");
    }

    @Test
    void aScheduleOverEveryHourFollowsRealTimeThroughBothChanges() {
        var trigger = Trigger.Cron.of("0 */30 * * * *", BERLIN);

        // Forward: 01:30 CET, then 03:00 CEST, thirty real minutes later.
        assertThat(slots(trigger, "2026-03-29T00:15:00Z", 3))
                .containsExactly("2026-03-29T00:30:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z");
        // Back: the repeated hour fires both times, every thirty real minutes.
        assertThat(slots(trigger, "2026-10-24T23:45:00Z", 5))
                .containsExactly(
                        "2026-10-25T00:00:00Z",
                        "2026-10-25T00:30:00Z",
                        "2026-10-25T01:00:00Z",
                        "2026-10-25T01:30:00Z",
                        "2026-10-25T02:00:00Z");
    }

    @Test
    void severalSkippedTimesOfOneScheduleFireOnceAtTheJump() {
        // New York, 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00 UTC); 02:00 and 02:45 are skipped.
        var trigger = Trigger.Cron.of("0 0,45 2 * * *", NEW_YORK);

        assertThat(slots(trigger, "2026-03-08T05:00:00Z", 3))
                .containsExactly("2026-03-08T07:00:00Z", "2026-03-09T06:00:00Z", "2026-03-09T06:45:00Z");
    }

    @Test
    void fiveFieldsAreUnixCronAndMacrosAreAccepted() {
        assertThat(slots(Trigger.Cron.of("15 4 * * 1", ZoneId.of("UTC")), "2026-12-06T00:00:00Z", 2))
                .containsExactly("2026-12-07T04:15:00Z", "2026-12-14T04:15:00Z");
        assertThat(slots(Trigger.Cron.of("@hourly", ZoneId.of("UTC")), "2026-12-06T00:10:00Z", 2))
                .containsExactly("2026-12-06T01:00:00Z", "2026-12-06T02:00:00Z");
        assertThat(slots(Trigger.Cron.of("*/2 * * * * *", ZoneId.of("UTC")), "2026-12-06T00:00:00Z", 2))
                .containsExactly("2026-12-06T00:00:02Z", "2026-12-06T00:00:04Z");
    }

    @Test
    void refusesWhatIsNotCron() {
        assertThatThrownBy(() -> Trigger.Cron.of("every day", BERLIN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Trigger.Cron.of("0 61 * * * *", BERLIN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anIntervalCountsFromItsAnchor() {
        var trigger = new Trigger.Every(Duration.ofSeconds(90), Instant.parse("2026-12-06T10:00:00Z"));

        assertThat(slots(trigger, "2026-12-06T09:00:00Z", 3))
                .containsExactly("2026-12-06T10:00:00Z", "2026-12-06T10:01:30Z", "2026-12-06T10:03:00Z");
        assertThat(trigger.nextAfter(Instant.parse("2026-12-06T10:01:30Z")))
                .contains(Instant.parse("2026-12-06T10:03:00Z"));
        assertThat(trigger.firstFrom(Instant.parse("2026-12-06T10:01:30Z")))
                .contains(Instant.parse("2026-12-06T10:01:30Z"));
        assertThatThrownBy(() -> new Trigger.Every(Duration.ZERO, Instant.EPOCH))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aOneOffHasOneSlot() {
        var trigger = new Trigger.Once(Instant.parse("2026-12-24T18:00:00Z"));

        assertThat(slots(trigger, "2026-12-06T00:00:00Z", 3)).containsExactly("2026-12-24T18:00:00Z");
    }

    private static List<String> slots(Trigger trigger, String after, int count) {
        var slots = new ArrayList<String>();
        Instant at = Instant.parse(after);
        for (int i = 0; i < count; i++) {
            var next = trigger.nextAfter(at);
            if (next.isEmpty()) {
                break;
            }
            at = next.get();
            slots.add(at.toString());
        }
        return slots;
    }
}
