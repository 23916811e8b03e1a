package dev.celeriac.api.internal.workflow;

import dev.celeriac.protocol.canvas.ChordJoin;
import dev.celeriac.protocol.canvas.ChordPolicy;
import dev.celeriac.protocol.event.WorkflowEvent;
import dev.celeriac.protocol.state.TaskState;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.SqlArrayValue;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.StringNode;

/** The {@code chords} and {@code chord_parts} tables. Every method runs inside the caller's transaction. */
public final class ChordStore {

    /**
     * A chord of a workflow, as the workflow's view shows it.
     *
     * @param parts how many header tasks it waits for
     * @param firedAt when its join was decided, or {@code null} while it waits
     * @param outcome {@code STARTED} (its body) or {@code FAILED}, or {@code null} while it waits
     */
    public record Summary(String id, int parts, String policy, Instant definedAt, Instant firedAt, String outcome) {}

    /** The chords of the workflow whose first task is {@code root}, in the order they were defined. */
    public List<Summary> ofWorkflow(String root) {
        return jdbc.sql("SELECT id, size, policy, defined_at, fired_at, outcome FROM chords WHERE root_id = ?"
                        + " ORDER BY defined_at, id")
                .param(root)
                .query((rs, n) -> new Summary(
                        rs.getString(1),
                        rs.getInt(2),
                        rs.getString(3),
                        rs.getTimestamp(4).toInstant(),
                        rs.getTimestamp(5) == null ? null : rs.getTimestamp(5).toInstant(),
                        rs.getString(6)))
                .list();
    }

    /** A chord as stored. */
    public record StoredChord(String id, String rootId, int size, ChordPolicy policy, JsonNode body, Instant firedAt) {}

    /** How a chord ended: its body started, or its error path taken. */
    public enum Outcome {
        STARTED,
        FAILED
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;

    public ChordStore(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Stores chords the ledger hears of; one it has stored already (its event came twice) is left as it is. */
    public void define(Collection<WorkflowEvent.ChordDefined> chords, Instant now) {
        for (WorkflowEvent.ChordDefined c : chords) {
            int added = jdbc.sql("INSERT INTO chords (id, root_id, size, policy, body, defined_at)"
                            + " SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM chords WHERE id = ?)")
                    .params(
                            c.chordId(),
                            c.rootId(),
                            c.parts().size(),
                            ChordPolicy.fromWireName(c.policy() == null ? "fail-fast" : c.policy())
                                    .wireName(),
                            json.writeValueAsString(c.body()),
                            Timestamp.from(now),
                            c.chordId())
                    .update();
            if (added == 0) {
                continue;
            }
            for (int i = 0; i < c.parts().size(); i++) {
                jdbc.sql("INSERT INTO chord_parts (chord_id, position, task_id) VALUES (?, ?, ?)")
                        .params(c.chordId(), i, c.parts().get(i))
                        .update();
            }
        }
    }

    /** The chords not fired yet that any of {@code taskIds} is a header task of. */
    public List<String> waitingOn(Collection<String> taskIds) {
        if (taskIds.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("SELECT DISTINCT p.chord_id FROM chord_parts p JOIN chords c ON c.id = p.chord_id"
                        + " WHERE c.fired_at IS NULL AND p.task_id IN (SELECT * FROM UNNEST(CAST(? AS VARCHAR ARRAY)))")
                .param(new SqlArrayValue("varchar", taskIds.toArray()))
                .query(String.class)
                .list();
    }

    /** Chords defined before {@code before} and not fired yet, oldest first. */
    public List<String> unfired(Instant before, int limit) {
        return jdbc.sql("SELECT id FROM chords WHERE fired_at IS NULL AND defined_at < ? ORDER BY defined_at LIMIT ?")
                .params(Timestamp.from(before), limit)
                .query(String.class)
                .list();
    }

    /** The chord, locked until the transaction ends, so that one transaction at a time decides its join. */
    public Optional<StoredChord> lock(String id) {
        return jdbc.sql("SELECT id, root_id, size, policy, body, fired_at FROM chords WHERE id = ? FOR UPDATE")
                .param(id)
                .query((rs, n) -> {
                    Timestamp fired = rs.getTimestamp(6);
                    return new StoredChord(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getInt(3),
                            ChordPolicy.fromWireName(rs.getString(4)),
                            json.readTree(rs.getString(5)),
                            fired == null ? null : fired.toInstant());
                })
                .optional();
    }

    /**
     * The header tasks of a chord as the ledger has them, in order. A result cut at the ledger's result limit cannot
     * be handed on whole: its task counts as failed.
     */
    public List<ChordJoin.Part> parts(String chordId) {
        return jdbc.sql("SELECT p.task_id, t.state, t.result, t.result_truncated, t.error_type, t.error_message"
                        + " FROM chord_parts p LEFT JOIN tasks t ON t.id = p.task_id"
                        + " WHERE p.chord_id = ? ORDER BY p.position")
                .param(chordId)
                .query((rs, n) -> {
                    String id = rs.getString(1);
                    String state = rs.getString(2);
                    if (state == null) {
                        return new ChordJoin.Part(id, null, null, null);
                    }
                    TaskState s = TaskState.valueOf(state);
                    if (s == TaskState.SUCCESS && rs.getBoolean(4)) {
                        return new ChordJoin.Part(
                                id,
                                TaskState.FAILURE,
                                null,
                                "ResultTooLarge: the result is larger than the ledger's result limit");
                    }
                    String error = rs.getString(5) == null ? null : rs.getString(5) + ": " + rs.getString(6);
                    return new ChordJoin.Part(id, s, result(rs.getString(3)), error);
                })
                .list();
    }

    /** Marks the chord fired; false if it already was (then nothing else may be done for it). */
    public boolean fire(String id, Outcome outcome, Instant now) {
        return jdbc.sql("UPDATE chords SET fired_at = ?, outcome = ? WHERE id = ? AND fired_at IS NULL")
                        .params(Timestamp.from(now), outcome.name(), id)
                        .update()
                == 1;
    }

    /** A Java worker's result is JSON; a Python worker's event carries its repr, handed on as a string. */
    private JsonNode result(String text) {
        if (text == null) {
            return null;
        }
        try {
            return json.readTree(text);
        } catch (JacksonException e) {
            return StringNode.valueOf(text);
        }
    }
}
