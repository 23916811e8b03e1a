package dev.celeriac.protocol.topology;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The delay ladder: fixed-TTL tiers through which a message waits for its ETA in the broker rather than in a
 * worker's memory. A message due in {@code d} goes to the longest tier not longer than {@code d}; when it comes back
 * it is sent round again until it is due. A remainder shorter than the shortest tier waits one shortest tier, so a
 * task never starts before its ETA and at most one shortest tier (plus broker latency) after it.
 */
public final class DelayLadder {

    /** 1 s, 5 s, 30 s, 2 min, 10 min, 1 h. */
    public static final DelayLadder DEFAULT = of(
            Duration.ofSeconds(1),
            Duration.ofSeconds(5),
            Duration.ofSeconds(30),
            Duration.ofMinutes(2),
            Duration.ofMinutes(10),
            Duration.ofHours(1));

    private final List<DelayTier> tiers;

    private DelayLadder(List<DelayTier> tiers) {
        if (tiers.isEmpty()) {
            throw new IllegalArgumentException("a delay ladder needs at least one tier");
        }
        this.tiers = tiers;
    }

    /** A ladder with the given tier TTLs, in any order; duplicates count once. */
    public static DelayLadder of(Duration... ttls) {
        return of(List.of(ttls));
    }

    /** A ladder with the given tier TTLs, in any order; duplicates count once. */
    public static DelayLadder of(List<Duration> ttls) {
        var sorted = new TreeSet<DelayTier>();
        ttls.forEach(ttl -> sorted.add(new DelayTier(ttl)));
        return new DelayLadder(List.copyOf(sorted));
    }

    /** The tiers, shortest first. */
    public List<DelayTier> tiers() {
        return tiers;
    }

    /**
     * The tier a message due in {@code remaining} waits in next, or empty when it is due now.
     *
     * @param remaining time until the message is due; zero or negative means due
     */
    public Optional<DelayTier> tierFor(Duration remaining) {
        if (remaining.isNegative() || remaining.isZero()) {
            return Optional.empty();
        }
        DelayTier chosen = tiers.getFirst();
        for (DelayTier tier : tiers) {
            if (tier.ttl().compareTo(remaining) <= 0) {
                chosen = tier;
            }
        }
        return Optional.of(chosen);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DelayLadder that && tiers.equals(that.tiers);
    }

    @Override
    public int hashCode() {
        return tiers.hashCode();
    }

    @Override
    public String toString() {
        return "DelayLadder" + tiers.stream().map(DelayTier::label).toList();
    }
}
