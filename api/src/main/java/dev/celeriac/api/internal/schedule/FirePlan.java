package dev.celeriac.api.internal.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which of a schedule's due slots fire now, which are missed, and the slot to look at next: a pure rule of the
 * schedule's trigger and policy, its cursor (the first slot not dealt with yet) and the time now.
 *
 * @param fire the slots to fire, oldest first
 * @param missed how many due slots are dealt with without firing (late, past the starting deadline, or before the
 *     one that runs once)
 * @param next the new cursor: the first slot not dealt with, empty when the schedule has no more
 */
public record FirePlan(List<Instant> fire, int missed, Optional<Instant> next) {

    /** Most slots one plan looks at: a per-second schedule stopped for a year catches up over several ticks. */
    static final int MAX_SCAN = 100_000;

    public FirePlan {
        fire = List.copyOf(fire);
    }

    /**
     * @param cursor the first slot not dealt with yet
     * @param startingDeadline a slot older than this is never fired ({@code null}: no deadline)
     * @param lateAfter a slot older than this is late (what {@link MissedPolicy#SKIP} skips)
     * @param maxFires most slots fired by one plan; the rest wait for the next
     */
    public static FirePlan of(
            Trigger trigger,
            Instant cursor,
            Instant now,
            MissedPolicy policy,
            Duration startingDeadline,
            Duration lateAfter,
            int maxFires) {
        var fire = new ArrayList<Instant>();
        int missed = 0;
        Instant latest = null;
        Instant slot = cursor;
        int scanned = 0;
        while (slot != null && !slot.isAfter(now) && scanned < MAX_SCAN && fire.size() < maxFires) {
            scanned++;
            Duration late = Duration.between(slot, now);
            if (startingDeadline != null && late.compareTo(startingDeadline) > 0) {
                missed++;
            } else {
                switch (policy) {
                    case RUN_EACH -> fire.add(slot);
                    case SKIP -> {
                        if (late.compareTo(lateAfter) > 0) {
                            missed++;
                        } else {
                            fire.add(slot);
                        }
                    }
                    case RUN_ONCE -> {
                        if (latest != null) {
                            missed++;
                        }
                        latest = slot;
                    }
                }
            }
            slot = trigger.nextAfter(slot).orElse(null);
        }
        if (latest != null) {
            if (slot != null && !slot.isAfter(now)) {
                missed++; // the scan stopped short: a later slot is the one to run once
            } else {
                fire.add(latest);
            }
        }
        return new FirePlan(fire, missed, Optional.ofNullable(slot));
    }
}
