package dev.celeriac.api.deadletters;

import dev.celeriac.protocol.message.TaskProperties;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The dead letters kept in the ledger database. */
public final class DeadLetterStore {

    /** A stored dead letter with what it takes to publish it again. */
    public record Stored(DeadLetter letter, TaskProperties properties, Map<String, Object> headers, byte[] body) {}

    private final JdbcTemplate jdbc;
    private final JsonMapper json;

    public DeadLetterStore(JdbcTemplate jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * Keeps a dead letter, unless one of the same task and replay is already kept: a task is dead-lettered once per
     * replay, and a worker that died before acking dead-letters it again. {@code false} if it was such a copy. Two
     * collectors storing copies at the same moment meet the unique index instead: one of them gets a
     * {@link org.springframework.dao.DuplicateKeyException}.
     */
    public boolean add(DeadLetter letter, TaskProperties properties, Map<String, Object> headers, byte[] body) {
        if (letter.taskId() != null && kept(letter.taskId(), letter.replay())) {
            return false;
        }
        insert(letter, properties, headers, body, false);
        return true;
    }

    /** Puts back a dead letter that was taken for a replay the broker then refused, under its own id. */
    public void restore(Stored stored) {
        insert(stored.letter(), stored.properties(), stored.headers(), stored.body(), true);
    }

    private void insert(
            DeadLetter letter, TaskProperties properties, Map<String, Object> headers, byte[] body, boolean withId) {
        var values = new ArrayList<Object>(Arrays.asList(
                letter.taskId(),
                letter.task(),
                letter.queue(),
                letter.reason(),
                letter.exception(),
                letter.message(),
                letter.traceback(),
                letter.attempts(),
                letter.worker(),
                Timestamp.from(letter.failedAt()),
                properties.contentType(),
                properties.contentEncoding(),
                properties.replyTo(),
                properties.priority(),
                json.writeValueAsString(headers),
                Base64.getEncoder().encodeToString(body),
                letter.replay()));
        if (withId) {
            values.add(letter.id());
        }
        jdbc.update(
                "INSERT INTO dead_letters (task_id, task, queue, reason, exception, message, traceback, attempts,"
                        + " worker, failed_at, content_type, content_encoding, reply_to, priority, headers, body, replay"
                        + (withId ? ", id" : "") + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
                        + (withId ? ", ?" : "") + ")",
                values.toArray());
    }

    private boolean kept(String taskId, int replay) {
        Long count = jdbc.queryForObject(
                "SELECT COUNT(*) FROM dead_letters WHERE task_id = ? AND replay = ?", Long.class, taskId, replay);
        return count != null && count > 0;
    }

    /** Dead letters of a queue kept for replay. */
    public long count(String queue) {
        Long count = jdbc.queryForObject("SELECT COUNT(*) FROM dead_letters WHERE queue = ?", Long.class, queue);
        return count == null ? 0 : count;
    }

    /** Dead letters, oldest first, of one queue or of all. */
    public List<DeadLetter> list(String queue, int limit) {
        var sql = new StringBuilder("SELECT * FROM dead_letters");
        var arguments = new ArrayList<Object>();
        if (queue != null) {
            sql.append(" WHERE queue = ?");
            arguments.add(queue);
        }
        sql.append(" ORDER BY id LIMIT ?");
        arguments.add(limit);
        return jdbc.query(sql.toString(), LETTER, arguments.toArray());
    }

    /** A dead letter with its message. */
    public Optional<Stored> find(long id) {
        return jdbc
                .query(
                        "SELECT * FROM dead_letters WHERE id = ?",
                        (rs, n) -> new Stored(
                                LETTER.mapRow(rs, n),
                                new TaskProperties(
                                        rs.getString("content_type"),
                                        rs.getString("content_encoding"),
                                        rs.getString("task_id"),
                                        rs.getString("reply_to"),
                                        (Integer) rs.getObject("priority"),
                                        true,
                                        null),
                                json.readValue(
                                        rs.getString("headers"), new TypeReference<LinkedHashMap<String, Object>>() {}),
                                Base64.getDecoder().decode(rs.getString("body"))),
                        id)
                .stream()
                .findFirst();
    }

    /** Removes a dead letter; whether there was one. */
    public boolean remove(long id) {
        return jdbc.update("DELETE FROM dead_letters WHERE id = ?", id) > 0;
    }

    private static final RowMapper<DeadLetter> LETTER = (rs, n) -> new DeadLetter(
            rs.getLong("id"),
            rs.getString("task_id"),
            rs.getString("task"),
            rs.getString("queue"),
            rs.getString("reason"),
            rs.getString("exception"),
            rs.getString("message"),
            rs.getString("traceback"),
            (Integer) rs.getObject("attempts"),
            rs.getString("worker"),
            rs.getTimestamp("failed_at") == null
                    ? Instant.EPOCH
                    : rs.getTimestamp("failed_at").toInstant(),
            rs.getInt("replay"));
}
