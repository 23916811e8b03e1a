package dev.celeriac.api.internal.idempotency;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.SqlArrayValue;

/**
 * Idempotency keys of {@code POST /api/v1/tasks}. A key is claimed in the transaction that records its task, so it is
 * visible exactly when the task is; claiming a batch of keys is one statement.
 */
public final class IdempotencyStore {

    /**
     * A key and what it stands for.
     *
     * @param key the client's {@code Idempotency-Key}
     * @param requestHash a hash of the request it came with
     * @param taskId the task it was claimed for
     */
    public record Claim(String key, String requestHash, String taskId) {}

    private final JdbcClient jdbc;

    public IdempotencyStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Claims the keys (distinct among themselves) inside the caller's transaction.
     *
     * @return the claims that hold some of the keys already, by key; the other keys are now claimed as asked
     */
    public Map<String, Claim> claim(Collection<Claim> claims, Instant at) {
        if (claims.isEmpty()) {
            return Map.of();
        }
        var keys = new ArrayList<String>(claims.size());
        var hashes = new ArrayList<String>(claims.size());
        var tasks = new ArrayList<String>(claims.size());
        for (Claim claim : claims) {
            keys.add(claim.key());
            hashes.add(claim.requestHash());
            tasks.add(claim.taskId());
        }
        jdbc.sql("INSERT INTO idempotency_keys (idempotency_key, request_hash, task_id, created_at)"
                        + " SELECT s.k, s.h, s.t, CAST(? AS TIMESTAMP WITH TIME ZONE) FROM UNNEST(CAST(? AS VARCHAR"
                        + " ARRAY), CAST(? AS VARCHAR ARRAY), CAST(? AS VARCHAR ARRAY)) AS s(k, h, t)"
                        + " ORDER BY s.k ON CONFLICT DO NOTHING")
                .params(
                        at.toString(),
                        new SqlArrayValue("varchar", keys.toArray()),
                        new SqlArrayValue("varchar", hashes.toArray()),
                        new SqlArrayValue("varchar", tasks.toArray()))
                .update();
        var held = new HashMap<String, Claim>();
        for (Claim stored : find(keys)) {
            held.put(stored.key(), stored);
        }
        var taken = new HashMap<String, Claim>();
        for (Claim claim : claims) {
            Claim stored = held.get(claim.key());
            if (stored != null && !stored.taskId().equals(claim.taskId())) {
                taken.put(claim.key(), stored);
            }
        }
        return taken;
    }

    /** What the key stands for, if it is claimed. */
    public Optional<Claim> find(String key) {
        return find(List.of(key)).stream().findFirst();
    }

    private List<Claim> find(List<String> keys) {
        return jdbc.sql("SELECT idempotency_key, request_hash, task_id FROM idempotency_keys WHERE idempotency_key IN"
                        + " (SELECT * FROM UNNEST(CAST(? AS VARCHAR ARRAY)))")
                .param(new SqlArrayValue("varchar", keys.toArray()))
                .query((rs, n) -> new Claim(rs.getString(1), rs.getString(2), rs.getString(3)))
                .list();
    }

    /** Releases claims whose tasks were not accepted, so that their clients can try again with the same keys. */
    public void release(Collection<Claim> claims) {
        for (Claim claim : claims) {
            jdbc.sql("DELETE FROM idempotency_keys WHERE idempotency_key = ? AND task_id = ?")
                    .params(claim.key(), claim.taskId())
                    .update();
        }
    }

    /** Removes keys claimed before the cutoff; how many. */
    public int expire(Instant cutoff) {
        return jdbc.sql("DELETE FROM idempotency_keys WHERE created_at < ?")
                .param(Timestamp.from(cutoff))
                .update();
    }
}
