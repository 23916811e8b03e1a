package dev.celeriac.api.internal.schedule;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The {@code schedule_fires} table: one row per slot dealt with, inserted by the transaction that fires (or skips) it.
 * Its primary key, (schedule, slot), is the claim: of several API instances that try the same slot at once, one
 * inserts the row and the others find it taken. Every method runs inside the caller's transaction.
 */
public final class FireStore {

    /** How a slot was dealt with. */
    public enum Outcome {
        /** Its task was submitted. */
        FIRED,
        /** Submitted by hand ({@code POST /api/v1/schedules/{id}/trigger}), outside the schedule's slots. */
        TRIGGERED,
        /** Not fired: the schedule's previous run had not finished and its overlap policy is to skip. */
        SKIPPED;

        String column() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A slot claimed for a task.
     *
     * @param taskId the task the slot fires, {@code null} for a skipped slot
     */
    public record Claim(String scheduleId, Instant slot, String taskId, Outcome outcome) {

        /** Whether it is one of the schedule's own slots, claimed only while the schedule is not paused. */
        boolean scheduled() {
            return outcome != Outcome.TRIGGERED;
        }
    }

    /**
     * A slot as the schedule's history shows it.
     *
     * @param state the state of its task in the ledger, {@code null} if skipped or no longer in the ledger
     */
    public record Fire(Instant slot, String outcome, String taskId, String state, Instant firedAt) {}

    private final JdbcClient jdbc;

    public FireStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Claims slots. A slot of a schedule's own (fired or skipped, not triggered by hand) is claimed only while its
     * schedule exists and is not paused, under the schedule's row lock: a pause or a removal waits for the
     * transaction, and a claim after them finds the schedule paused or gone.
     *
     * @return the claims not made: the slot was taken already (by another instance, or an earlier try), or its
     *     schedule is paused or gone
     */
    public List<Claim> claim(Collection<Claim> claims, Instant now) {
        Set<String> open = lockOpen(claims);
        var taken = new ArrayList<Claim>();
        for (Claim claim : claims) {
            if (claim.scheduled() && !open.contains(claim.scheduleId())) {
                taken.add(claim);
                continue;
            }
            int inserted = jdbc.sql("INSERT INTO schedule_fires (schedule_id, slot, task_id, outcome, fired_at)"
                            + " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
                    .params(
                            claim.scheduleId(),
                            Timestamp.from(claim.slot()),
                            claim.taskId(),
                            claim.outcome().column(),
                            Timestamp.from(now))
                    .update();
            if (inserted == 0) {
                taken.add(claim);
            }
        }
        return taken;
    }

    /**
     * Locks the rows of the schedules whose own slots are claimed, in the order of their ids so that two transactions
     * locking several never wait for each other, and returns those that are not paused.
     */
    private Set<String> lockOpen(Collection<Claim> claims) {
        var ids = claims.stream()
                .filter(Claim::scheduled)
                .map(Claim::scheduleId)
                .collect(Collectors.toCollection(TreeSet::new));
        if (ids.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(
                jdbc.sql("SELECT id FROM schedules WHERE id IN (:ids) AND paused = FALSE ORDER BY id FOR UPDATE")
                        .param("ids", ids)
                        .query(String.class)
                        .list());
    }

    /** Gives back the slots of tasks the broker refused, so that the next try fires them. */
    public void release(Collection<Claim> claims) {
        for (Claim claim : claims) {
            jdbc.sql("DELETE FROM schedule_fires WHERE schedule_id = ? AND slot = ? AND task_id = ?")
                    .params(claim.scheduleId(), Timestamp.from(claim.slot()), claim.taskId())
                    .update();
        }
    }

    /** The latest slots of a schedule dealt with, newest first, before {@code before} if given. */
    public List<Fire> recent(String scheduleId, Instant before, int limit) {
        var params = new ArrayList<Object>(List.of(scheduleId));
        if (before != null) {
            params.add(Timestamp.from(before));
        }
        params.add(limit);
        return jdbc.sql("SELECT f.slot, f.outcome, f.task_id, t.state, f.fired_at FROM schedule_fires f"
                        + " LEFT JOIN tasks t ON t.id = f.task_id WHERE f.schedule_id = ?"
                        + (before == null ? "" : " AND f.slot < ?")
                        + " ORDER BY f.slot DESC LIMIT ?")
                .params(params)
                .query((rs, n) -> new Fire(
                        rs.getTimestamp(1).toInstant(),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getTimestamp(5).toInstant()))
                .list();
    }

    /** The schedule and slot a task was fired for, if a schedule fired it. */
    public Optional<Claim> ofTask(String taskId) {
        return jdbc.sql("SELECT schedule_id, slot, outcome FROM schedule_fires WHERE task_id = ?")
                .param(taskId)
                .query((rs, n) -> new Claim(
                        rs.getString(1),
                        rs.getTimestamp(2).toInstant(),
                        taskId,
                        Outcome.valueOf(rs.getString(3).toUpperCase(Locale.ROOT))))
                .optional();
    }

    /** Forgets a deleted schedule's fires. */
    public void forget(String scheduleId) {
        jdbc.sql("DELETE FROM schedule_fires WHERE schedule_id = ?")
                .param(scheduleId)
                .update();
    }

    /** Removes fires older than the cutoff (their slots are long behind every cursor); how many. */
    public int expire(Instant cutoff) {
        return jdbc.sql("DELETE FROM schedule_fires WHERE fired_at < ?")
                .param(Timestamp.from(cutoff))
                .update();
    }
}
