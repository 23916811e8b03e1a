package dev.celeriac.api.internal.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A schedule as stored.
 *
 * @param definition what it fires, when, and by which policies
 * @param origin where it was defined
 * @param nextSlot the first slot not dealt with yet, {@code null} once a one-off has fired
 * @param lastSlot the latest slot fired, or {@code null}
 * @param lastTaskId the task of that slot
 */
public record Schedule(
        String id,
        Definition definition,
        boolean paused,
        Origin origin,
        Instant nextSlot,
        Instant lastSlot,
        String lastTaskId,
        Instant createdAt,
        Instant updatedAt) {

    /** Where a schedule was defined. */
    public enum Origin {
        /** Over {@code /api/v1/schedules}. */
        API,
        /** In {@code celeriac.schedules.*}, upserted by every API instance at start. */
        CONFIGURATION,
        /** By a worker's {@code @CeleriacSchedule}, declared as it starts. */
        WORKER
    }

    /**
     * What a schedule fires, when, and by which policies.
     *
     * @param task the task it fires
     * @param startingDeadline a slot older than this is never fired, or {@code null}
     */
    public record Definition(
            Trigger trigger, TaskTemplate task, MissedPolicy missed, Duration startingDeadline, OverlapPolicy overlap) {

        /** The slot a new (or changed, or resumed) schedule waits for first, from {@code now} on. */
        public Optional<Instant> firstSlot(Instant now) {
            return trigger instanceof Trigger.Once(Instant at) ? Optional.of(at) : trigger.firstFrom(now);
        }
    }
}
