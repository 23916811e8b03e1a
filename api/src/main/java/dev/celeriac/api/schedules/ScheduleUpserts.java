package dev.celeriac.api.schedules;

import dev.celeriac.api.internal.schedule.Schedule;
import dev.celeriac.api.internal.schedule.ScheduleStore;
import dev.celeriac.api.internal.schedule.Trigger;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores a schedule defined outside REST (configuration, a worker) by id: one not stored yet is added, one whose
 * definition changed is replaced, one that is the same keeps its place and its cursor. An interval given without a
 * start keeps counting from where it was first stored, so that a restart does not move its slots.
 */
final class ScheduleUpserts {

    private static final Logger log = LoggerFactory.getLogger(ScheduleUpserts.class);

    /** What happened to a schedule upserted. */
    enum Result {
        ADDED,
        REPLACED,
        UNCHANGED,
        /** Left alone: defined elsewhere (over REST or in configuration), which wins over a worker. */
        KEPT
    }

    private final ScheduleStore store;
    private final Clock clock;

    ScheduleUpserts(ScheduleStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * @param startGiven whether an interval's start was given (else the stored one is kept)
     * @param paused whether it is added paused (a stored schedule keeps its own)
     */
    Result upsert(
            String id, Schedule.Definition definition, boolean startGiven, boolean paused, Schedule.Origin origin) {
        Instant now = clock.instant();
        Optional<Schedule> stored = store.find(id);
        if (stored.isEmpty()) {
            if (store.add(id, definition, paused, origin, now)) {
                log.info("schedule '{}' added ({})", id, origin.name().toLowerCase(Locale.ROOT));
                return Result.ADDED;
            }
            return Result.UNCHANGED; // another instance added it this moment
        }
        if (origin == Schedule.Origin.WORKER && stored.get().origin() != Schedule.Origin.WORKER) {
            return Result.KEPT;
        }
        Schedule.Definition wanted =
                startGiven ? definition : keepAnchor(definition, stored.get().definition());
        if (wanted.equals(stored.get().definition())) {
            return Result.UNCHANGED;
        }
        store.redefine(id, wanted, origin, now);
        log.info("schedule '{}' redefined ({})", id, origin.name().toLowerCase(Locale.ROOT));
        return Result.REPLACED;
    }

    private static Schedule.Definition keepAnchor(Schedule.Definition wanted, Schedule.Definition stored) {
        if (wanted.trigger() instanceof Trigger.Every(var interval, var _)
                && stored.trigger() instanceof Trigger.Every(var storedInterval, var storedAnchor)
                && interval.equals(storedInterval)) {
            return new Schedule.Definition(
                    new Trigger.Every(interval, storedAnchor),
                    wanted.task(),
                    wanted.missed(),
                    wanted.startingDeadline(),
                    wanted.overlap());
        }
        return wanted;
    }
}
