package dev.celeriac.api.internal.outbox;

import dev.celeriac.protocol.message.EncodedMessage;
import dev.celeriac.protocol.message.TaskProperties;
import dev.celeriac.protocol.names.MessageHeaders;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.SqlArrayValue;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code task_outbox} table: a message is added in the transaction that records its task, and removed once the
 * broker has confirmed it. What stays longer was left by an API that stopped in between, and is published again.
 */
public final class OutboxStore {

    /**
     * A message the API has committed to publish.
     *
     * @param taskId the task
     * @param task the task's name (read back from the message's headers)
     * @param exchange where it goes
     * @param routingKey its routing key: the work queue
     * @param replay the replay of the task the message starts (0 for a submit)
     * @param message the message exactly as it is to be published
     * @param createdAt when it was committed
     */
    public record Entry(
            String taskId,
            String task,
            String exchange,
            String routingKey,
            int replay,
            EncodedMessage message,
            Instant createdAt) {}

    private static final String COLUMNS = "task_id, exchange, routing_key, replay, content_type, content_encoding,"
            + " reply_to, priority, headers, body, created_at";

    private final JdbcTemplate template;
    private final JdbcClient jdbc;
    private final JsonMapper json;

    public OutboxStore(JdbcTemplate template, JsonMapper json) {
        this.template = template;
        this.jdbc = JdbcClient.create(template);
        this.json = json;
    }

    /** Adds messages inside the caller's transaction, as one batch. */
    public void add(Collection<Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        template.batchUpdate(
                "INSERT INTO task_outbox (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                entries.stream()
                        .map(e -> {
                            TaskProperties p = e.message().properties();
                            return new Object[] {
                                e.taskId(),
                                e.exchange(),
                                e.routingKey(),
                                e.replay(),
                                p.contentType(),
                                p.contentEncoding(),
                                p.replyTo(),
                                p.priority(),
                                json.writeValueAsString(e.message().headers()),
                                e.message().body(),
                                Timestamp.from(e.createdAt())
                            };
                        })
                        .toList());
    }

    /** Removes the messages of the given tasks (confirmed, or given up on). */
    public void remove(Collection<String> taskIds) {
        if (!taskIds.isEmpty()) {
            jdbc.sql("DELETE FROM task_outbox WHERE task_id IN (SELECT * FROM UNNEST(CAST(? AS VARCHAR ARRAY)))")
                    .param(new SqlArrayValue("varchar", taskIds.toArray()))
                    .update();
        }
    }

    /** When the task's message was committed, if it is still waiting for its confirm. */
    public Optional<Instant> waitingSince(String taskId) {
        return jdbc.sql("SELECT created_at FROM task_outbox WHERE task_id = ?")
                .param(taskId)
                .query((rs, n) -> rs.getTimestamp(1).toInstant())
                .optional();
    }

    /**
     * Locks, inside the caller's transaction, up to {@code limit} messages committed before {@code before}, skipping
     * those another transaction holds: what an API that stopped left behind.
     */
    public List<Entry> lockStale(Instant before, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM task_outbox WHERE created_at < ? ORDER BY created_at LIMIT ?"
                        + " FOR UPDATE SKIP LOCKED")
                .params(Timestamp.from(before), limit)
                .query(entry())
                .list();
    }

    /**
     * Reclaims the space of removed messages (PostgreSQL only; outside any transaction). The outbox is a queue
     * table: each message lives for milliseconds, so its dead rows would soon outnumber its live ones many times and
     * slow every insert and delete, unless vacuumed far more often than autovacuum's defaults do (or at all, where
     * it is off). A vacuum another process holds is skipped.
     */
    public void vacuum() {
        template.execute("VACUUM (SKIP_LOCKED) task_outbox");
    }

    /** Locks, inside the caller's transaction, the message of the task, waiting for another holder to finish. */
    public Optional<Entry> lock(String taskId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM task_outbox WHERE task_id = ? FOR UPDATE")
                .param(taskId)
                .query(entry())
                .optional();
    }

    private RowMapper<Entry> entry() {
        return (rs, n) -> {
            Map<String, Object> headers =
                    json.readValue(rs.getString("headers"), new TypeReference<LinkedHashMap<String, Object>>() {});
            String taskId = rs.getString("task_id");
            var properties = new TaskProperties(
                    rs.getString("content_type"),
                    rs.getString("content_encoding"),
                    taskId,
                    rs.getString("reply_to"),
                    (Integer) rs.getObject("priority"),
                    true,
                    null);
            return new Entry(
                    taskId,
                    headers.get(MessageHeaders.TASK) instanceof String name ? name : "",
                    rs.getString("exchange"),
                    rs.getString("routing_key"),
                    rs.getInt("replay"),
                    new EncodedMessage(properties, headers, rs.getBytes("body")),
                    rs.getTimestamp("created_at").toInstant());
        };
    }
}
