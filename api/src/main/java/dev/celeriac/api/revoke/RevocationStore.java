package dev.celeriac.api.revoke;

import dev.celeriac.api.internal.ledger.TaskStore;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Revocations made through the API: the ledger's own record of them, from which they are announced on the revocation
 * stream again while their tasks can still arrive.
 */
public final class RevocationStore {

    /** A revocation to announce. */
    public record Revocation(String taskId, boolean terminate) {}

    private final JdbcClient jdbc;

    public RevocationStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Stores a revocation (a later one with {@code terminate} makes it terminating) as not announced yet: until
     * {@link #announced} says otherwise, the announcer publishes it on its next round.
     */
    public void record(String taskId, boolean terminate, Instant at) {
        int updated = jdbc.sql("UPDATE revocations SET terminate = (terminate OR ?), announced_at = NULL"
                        + " WHERE task_id = ?")
                .params(terminate, taskId)
                .update();
        if (updated == 0) {
            jdbc.sql("INSERT INTO revocations (task_id, terminate, revoked_at, announced_at) VALUES (?, ?, ?, NULL)"
                            + " ON CONFLICT DO NOTHING")
                    .params(taskId, terminate, Timestamp.from(at))
                    .update();
        }
    }

    /** Records that the revocation was published on the revocation stream. */
    public void announced(String taskId, Instant at) {
        jdbc.sql("UPDATE revocations SET announced_at = ? WHERE task_id = ?")
                .params(Timestamp.from(at), taskId)
                .update();
    }

    /** Whether the task was revoked through the API. */
    public boolean isRevoked(String taskId) {
        return jdbc.sql("SELECT COUNT(*) FROM revocations WHERE task_id = ?")
                        .param(taskId)
                        .query(Integer.class)
                        .single()
                > 0;
    }

    /**
     * Revocations never announced, or last announced before {@code announcedBefore}, whose tasks can still arrive: not finished in the
     * ledger (nor expired), or unknown to it and revoked after {@code unknownSince}.
     */
    public List<Revocation> due(Instant announcedBefore, Instant unknownSince, Instant now, int limit) {
        return jdbc.sql("SELECT r.task_id, r.terminate FROM revocations r LEFT JOIN tasks t ON t.id = r.task_id"
                        + " WHERE (r.announced_at IS NULL OR r.announced_at < ?) AND ((t.id IS NULL AND r.revoked_at > ?)"
                        + " OR (t.id IS NOT NULL AND t.state NOT IN " + TaskStore.TERMINAL_STATES
                        + " AND (t.expires IS NULL OR t.expires > ?)))"
                        + " ORDER BY r.task_id LIMIT ?")
                .params(Timestamp.from(announcedBefore), Timestamp.from(unknownSince), Timestamp.from(now), limit)
                .query((rs, n) -> new Revocation(rs.getString(1), rs.getBoolean(2)))
                .list();
    }

    /**
     * Claims the announcement of a revocation: whether this caller is the one to announce it now (another API
     * instance may have just done so).
     */
    public boolean claimAnnouncement(String taskId, Instant announcedBefore, Instant now) {
        return jdbc.sql("UPDATE revocations SET announced_at = ? WHERE task_id = ?"
                                + " AND (announced_at IS NULL OR announced_at < ?)")
                        .params(Timestamp.from(now), taskId, Timestamp.from(announcedBefore))
                        .update()
                == 1;
    }

    /**
     * Removes revocations no worker can need any more: their tasks finished (or left the ledger) and they were last
     * announced before the cutoff, so every worker has forgotten them.
     */
    public int expire(Instant announcedBefore) {
        return jdbc.sql(
                        "DELETE FROM revocations WHERE (announced_at IS NULL OR announced_at < ?) AND NOT EXISTS (SELECT 1 FROM tasks t WHERE"
                                + " t.id = revocations.task_id AND t.state NOT IN " + TaskStore.TERMINAL_STATES + ")")
                .param(Timestamp.from(announcedBefore))
                .update();
    }
}
