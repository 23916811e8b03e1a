package dev.celeriac.protocol.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DelayLadderTests {

    private final DelayLadder ladder = DelayLadder.DEFAULT;

    private String tierFor(Duration remaining) {
        return ladder.tierFor(remaining).map(DelayTier::label).orElse("due");
    }

    @Test
    void labelsAndNamesTheDefaultTiers() {
        assertThat(ladder.tiers()).extracting(DelayTier::label).containsExactly("1s", "5s", "30s", "2m", "10m", "1h");
        assertThat(ladder.tiers().getFirst().name()).isEqualTo("celeriac.delay.1s");
        assertThat(new DelayTier(Duration.ofMillis(250)).label()).isEqualTo("250ms");
    }

    @Test
    void picksTheLongestTierNotLongerThanTheRemainingTime() {
        assertThat(tierFor(Duration.ofSeconds(1))).isEqualTo("1s");
        assertThat(tierFor(Duration.ofMillis(4_999))).isEqualTo("1s");
        assertThat(tierFor(Duration.ofSeconds(5))).isEqualTo("5s");
        assertThat(tierFor(Duration.ofSeconds(119))).isEqualTo("30s");
        assertThat(tierFor(Duration.ofMinutes(59))).isEqualTo("10m");
        assertThat(tierFor(Duration.ofDays(3))).isEqualTo("1h");
    }

    @Test
    void waitsOneShortestTierForARemainderShorterThanIt() {
        assertThat(tierFor(Duration.ofMillis(1))).isEqualTo("1s");
        assertThat(tierFor(Duration.ofMillis(999))).isEqualTo("1s");
    }

    @Test
    void saysDueWhenNoTimeRemains() {
        assertThat(tierFor(Duration.ZERO)).isEqualTo("due");
        assertThat(tierFor(Duration.ofSeconds(-3))).isEqualTo("due");
    }

    @Test
    void neverDeliversEarlyAndAtMostOneShortestTierLate() {
        for (long delayMs : new long[] {1, 999, 1_000, 3_000, 3_500, 7_777, 65_432, 3_723_000, 90_061_001}) {
            long elapsed = 0;
            var hops = new ArrayList<String>();
            while (true) {
                var tier = ladder.tierFor(Duration.ofMillis(delayMs - elapsed));
                if (tier.isEmpty()) {
                    break;
                }
                hops.add(tier.get().label());
                elapsed += tier.get().ttl().toMillis();
            }
            assertThat(elapsed).as("delay %d ms via %s", delayMs, hops).isBetween(delayMs, delayMs + 999);
        }
    }

    @Test
    void sortsAndDeduplicatesTiers() {
        var custom = DelayLadder.of(List.of(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(10)));
        assertThat(custom.tiers()).extracting(DelayTier::label).containsExactly("1s", "10s");
    }
}
