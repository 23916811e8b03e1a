package dev.celeriac.api.internal.ledger;

import dev.celeriac.protocol.state.TaskState;
import dev.celeriac.protocol.state.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.SqlArrayValue;

/**
 * The tasks table. A batch of changes is written with one statement whatever its size: the changes travel as one
 * array per column, and the statement merges each into its stored row by {@link TaskProjection#merge}'s rules,
 * computed inside SQL, so that several API instances writing at once never move a task backwards and none needs to
 * lock and read rows first. A task's history is appended to its own row.
 */
public final class TaskStore {

    private final JdbcClient jdbc;
    private final Clock clock;
    private final String write;

    public TaskStore(JdbcClient jdbc, LedgerDialect dialect, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.write = writeStatement(dialect);
    }

    /** Merges the changes (at most one per task) into the stored records, in one statement. */
    public void write(Collection<TaskChange> changes) {
        if (changes.isEmpty()) {
            return;
        }
        // In id order, so that two writers lock shared rows in the same order and cannot deadlock.
        var sorted = new ArrayList<>(changes);
        sorted.sort(Comparator.comparing(TaskChange::id));
        // The time of the write comes first: it is the first parameter of the statement's text.
        var statement = jdbc.sql(write).param(clock.instant().toString());
        for (Column column : COLUMNS) {
            statement = statement.param(column.values(sorted));
        }
        statement.update();
    }

    /** The task, or empty if the ledger never heard of it. */
    public Optional<TaskRecord> find(String id) {
        return jdbc.sql("SELECT " + RECORD_COLUMNS + " FROM tasks WHERE id = ?")
                .param(id)
                .query(RECORD)
                .optional();
    }

    /** When the task was revoked, if it was: its revocation outlives its record's state until a worker drops it. */
    public Optional<Instant> revokedAt(String id) {
        return jdbc.sql("SELECT revoked_at FROM revocations WHERE task_id = ?")
                .param(id)
                .query((rs, n) -> rs.getTimestamp(1).toInstant())
                .optional();
    }

    /** The replays of the task so far, or empty if the ledger never heard of it. */
    public Optional<Integer> replayOf(String id) {
        return jdbc.sql("SELECT replay FROM tasks WHERE id = ?")
                .param(id)
                .query(Integer.class)
                .optional();
    }

    /** The states of those of the tasks the ledger knows. */
    public Map<String, TaskState> statesOf(Collection<String> ids) {
        var states = new HashMap<String, TaskState>();
        if (!ids.isEmpty()) {
            jdbc.sql("SELECT id, state FROM tasks WHERE id IN (SELECT * FROM UNNEST(CAST(? AS VARCHAR ARRAY)))")
                    .param(new SqlArrayValue("varchar", ids.toArray()))
                    .query((RowCallbackHandler) rs -> states.put(rs.getString(1), TaskState.valueOf(rs.getString(2))));
        }
        return states;
    }

    /** The task's state changes, oldest first, each once. */
    public List<HistoryEntry> history(String id) {
        return jdbc.sql("SELECT history FROM tasks WHERE id = ?")
                .param(id)
                .query(String.class)
                .optional()
                .map(HistoryLines::decode)
                .orElse(List.of());
    }

    /** A page of tasks, newest first. */
    public record Page(List<TaskRecord> tasks, String nextCursor) {}

    /**
     * Tasks matching the filter, newest first, after the cursor of a previous page.
     *
     * @throws IllegalArgumentException if the cursor is not one this ledger gave out
     */
    public Page page(TaskFilter filter, int limit, String cursor) {
        var sql = new StringBuilder("SELECT " + RECORD_COLUMNS + " FROM tasks WHERE 1 = 1");
        var arguments = new ArrayList<Object>();
        where(filter, sql, arguments);
        if (cursor != null) {
            Cursor after = Cursor.decode(cursor);
            sql.append(" AND (submitted_at < ? OR (submitted_at = ? AND id < ?))");
            arguments.add(Timestamp.from(after.submittedAt()));
            arguments.add(Timestamp.from(after.submittedAt()));
            arguments.add(after.id());
        }
        sql.append(" ORDER BY submitted_at DESC, id DESC LIMIT ?");
        arguments.add(limit + 1);
        List<TaskRecord> rows =
                jdbc.sql(sql.toString()).params(arguments).query(RECORD).list();
        if (rows.size() <= limit) {
            return new Page(rows, null);
        }
        List<TaskRecord> page = rows.subList(0, limit);
        TaskRecord last = page.getLast();
        return new Page(List.copyOf(page), new Cursor(last.submittedAt(), last.id()).encode());
    }

    /** The ids of the newest tasks matching the filter, at most {@code limit}. */
    public List<String> ids(TaskFilter filter, int limit) {
        var sql = new StringBuilder("SELECT id FROM tasks WHERE 1 = 1");
        var arguments = new ArrayList<Object>();
        where(filter, sql, arguments);
        sql.append(" ORDER BY submitted_at DESC, id DESC LIMIT ?");
        arguments.add(limit);
        return jdbc.sql(sql.toString()).params(arguments).query(String.class).list();
    }

    /**
     * The expression the argument search reads, and the PostgreSQL trigram index covers (migration 10): the statement
     * must spell it exactly so for the index to be used.
     */
    static final String ARGUMENTS_TEXT = "(COALESCE(args, '') || ' ' || COALESCE(kwargs, ''))";

    private static void where(TaskFilter filter, StringBuilder sql, List<Object> arguments) {
        if (filter.root() != null) {
            sql.append(" AND root_id = ?");
            arguments.add(filter.root());
        }
        if (filter.parent() != null) {
            // A child shares its parent's workflow (the parent's root, or the parent itself when it has none): the
            // workflow index narrows the search to it.
            sql.append(" AND root_id = COALESCE((SELECT p.root_id FROM tasks p WHERE p.id = ?), ?) AND parent_id = ?");
            arguments.add(filter.parent());
            arguments.add(filter.parent());
            arguments.add(filter.parent());
        }
        if (filter.state() != null) {
            // Not indexed (every state change would update the index): found walking the newest tasks.
            sql.append(" AND state = ?");
            arguments.add(filter.state().name());
        }
        if (filter.task() != null) {
            sql.append(" AND task = ?");
            arguments.add(filter.task());
        }
        if (filter.queue() != null) {
            sql.append(" AND queue = ?");
            arguments.add(filter.queue());
        }
        if (filter.search() != null) {
            sql.append(" AND " + ARGUMENTS_TEXT + " ILIKE ? ESCAPE '\\'");
            arguments.add("%" + likeLiteral(filter.search()) + "%");
        }
        if (filter.since() != null) {
            sql.append(" AND submitted_at >= ?");
            arguments.add(Timestamp.from(filter.since()));
        }
        if (filter.until() != null) {
            sql.append(" AND submitted_at < ?");
            arguments.add(Timestamp.from(filter.until()));
        }
    }

    /** The text as a LIKE pattern that matches it literally. */
    static String likeLiteral(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    /** How many of the tasks submitted in one minute are in one state. */
    public record MinuteCount(Instant minute, TaskState state, long tasks) {}

    /**
     * The tasks submitted since then, counted by the minute they were submitted in and the state they are in now,
     * oldest minute first. Reads the range of the submitted-at index; minutes with no task are left out.
     */
    public List<MinuteCount> minutesSince(Instant since) {
        return jdbc.sql("SELECT DATE_TRUNC('minute', submitted_at) AS at_minute, state, COUNT(*) FROM tasks"
                        + " WHERE submitted_at >= ? GROUP BY DATE_TRUNC('minute', submitted_at), state ORDER BY 1")
                .param(Timestamp.from(since))
                .query((rs, n) -> new MinuteCount(
                        rs.getTimestamp(1).toInstant(), TaskState.valueOf(rs.getString(2)), rs.getLong(3)))
                .list();
    }

    /** How many tasks of the workflow whose first task is {@code root} are in each state. */
    public Map<TaskState, Long> statesOfWorkflow(String root) {
        var counts = new EnumMap<TaskState, Long>(TaskState.class);
        jdbc.sql("SELECT state, COUNT(*) FROM tasks WHERE root_id = ? GROUP BY state")
                .param(root)
                .query((RowCallbackHandler) rs -> counts.put(TaskState.valueOf(rs.getString(1)), rs.getLong(2)));
        return counts;
    }

    /** Where a page ended: opaque to clients. */
    record Cursor(Instant submittedAt, String id) {
        String encode() {
            String raw = submittedAt.toEpochMilli() * 1_000_000L + submittedAt.getNano() % 1_000_000 + ":" + id;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String cursor) {
            try {
                String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
                int colon = raw.indexOf(':');
                long nanos = Long.parseLong(raw.substring(0, colon));
                return new Cursor(
                        Instant.ofEpochSecond(
                                Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)),
                        raw.substring(colon + 1));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("the cursor '" + cursor + "' is not one this API gave out");
            }
        }
    }

    /**
     * Removes tasks that finished before the cutoff.
     *
     * @return how many were removed
     */
    public int expire(Instant cutoff) {
        Timestamp before = Timestamp.from(cutoff);
        // A task finishes after it is submitted: the submitted_at index narrows the scan to those old enough.
        return jdbc.sql("DELETE FROM tasks WHERE submitted_at < ? AND state IN (?, ?, ?) AND finished_at < ?")
                .params(before, TaskState.SUCCESS.name(), TaskState.FAILURE.name(), TaskState.REVOKED.name(), before)
                .update();
    }

    /** Forgets accepted tasks whose publish then failed, so that nothing half-accepted stays behind. */
    public void forget(Collection<String> ids) {
        if (!ids.isEmpty()) {
            jdbc.sql("DELETE FROM tasks WHERE id IN (SELECT * FROM UNNEST(CAST(? AS VARCHAR ARRAY))) AND state = ?")
                    .params(new SqlArrayValue("varchar", ids.toArray()), TaskState.PENDING.name())
                    .update();
        }
    }

    /** One source column of the write: its name, SQL type and value per change. */
    private record Column(String name, String sqlType, String arrayType, Function<TaskChange, Object> value) {
        SqlArrayValue values(List<TaskChange> changes) {
            Object[] values = new Object[changes.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = value.apply(changes.get(i));
            }
            return new SqlArrayValue(arrayType, values);
        }
    }

    private static Column text(String name, Function<TaskChange, Object> value) {
        return new Column(name, "VARCHAR", "varchar", value);
    }

    private static Column integer(String name, Function<TaskChange, Object> value) {
        return new Column(name, "INTEGER", "int4", value);
    }

    private static Column bool(String name, Function<TaskChange, Object> value) {
        return new Column(name, "BOOLEAN", "bool", value);
    }

    private static Column time(String name, Function<TaskChange, Instant> value) {
        // As ISO-8601 text, which both databases read exactly; a driver's own array of timestamps may not.
        return new Column(name, "VARCHAR", "varchar", c -> {
            Instant at = value.apply(c);
            // Truncated here, so that the database keeps the microsecond Java gives, not one it rounds to.
            return at == null ? null : at.truncatedTo(ChronoUnit.MICROS).toString();
        });
    }

    private static final List<Column> COLUMNS = List.of(
            text("id", TaskChange::id),
            text("task", c -> c.description().task()),
            text("queue", c -> c.description().queue()),
            text("state", c -> c.state().name()),
            integer("rnk", c -> c.state().rank()),
            bool("terminal", c -> c.state().isTerminal()),
            integer("attempt", TaskChange::attempt),
            integer("replay", TaskChange::replay),
            text("args", c -> c.description().args()),
            text("kwargs", c -> c.description().kwargs()),
            text("result", c -> c.outcome().result()),
            bool("result_truncated", c -> c.outcome().resultTruncated()),
            text("error_type", c -> c.outcome().errorType()),
            text("error_message", c -> c.outcome().errorMessage()),
            text("traceback", c -> c.outcome().traceback()),
            text("progress", TaskChange::progress),
            text("worker", c -> c.outcome().worker()),
            text("parent_id", c -> c.description().parentId()),
            text("root_id", c -> c.description().rootId()),
            time("eta", c -> c.description().eta()),
            time("expires", c -> c.description().expires()),
            time("submitted_at", TaskChange::firstSeen),
            time("started_at", TaskChange::startedAt),
            time("finished_at", c -> c.outcome().finishedAt()),
            text("history", c -> HistoryLines.encode(c.history())));

    /** The terminal states as an SQL list: {@code ('SUCCESS', 'FAILURE', 'REVOKED')}. */
    public static final String TERMINAL_STATES = Arrays.stream(TaskState.values())
            .filter(TaskState::isTerminal)
            .map(state -> "'" + state.name() + "'")
            .collect(Collectors.joining(", ", "(", ")"));

    /** Columns of the tasks table that follow the winning state. */
    private static final List<String> WITH_THE_STATE = List.of(
            "state",
            "attempt",
            "precedence",
            "worker",
            "result",
            "result_truncated",
            "error_type",
            "error_message",
            "traceback",
            "finished_at");

    /** Columns of the tasks table that keep the first value known. */
    private static final List<String> FIRST_KNOWN =
            List.of("queue", "args", "kwargs", "parent_id", "root_id", "eta", "expires");

    private static final List<String> TABLE_COLUMNS = List.of(
            "id",
            "task",
            "queue",
            "state",
            "attempt",
            "replay",
            "precedence",
            "args",
            "kwargs",
            "result",
            "result_truncated",
            "error_type",
            "error_message",
            "traceback",
            "progress",
            "worker",
            "parent_id",
            "root_id",
            "eta",
            "expires",
            "submitted_at",
            "started_at",
            "finished_at",
            "updated_at",
            "history");

    /**
     * The changes as rows of the tasks table, with an attempt or replay that a change leaves out taken from the
     * stored row, and the precedence computed as {@link TaskChange#precedence} computes it.
     */
    private static String incoming() {
        // Looked up only for a change that does not say (COALESCE stops at the first value), by the primary key: a
        // join would let the planner scan the whole table when its statistics are old or missing.
        String attempt = "COALESCE(s.attempt, (SELECT cur.attempt FROM tasks cur WHERE cur.id = s.id), 0)";
        String ordered = "LEAST(" + attempt + ", " + TaskStatus.MAX_ORDERED_ATTEMPT + ")";
        String replay = "COALESCE(s.replay, (SELECT cur.replay FROM tasks cur WHERE cur.id = s.id), 0)";
        String precedence = replay + " * " + (1L << TaskChange.REPLAY_SHIFT) + " + CASE WHEN s.terminal THEN "
                + (1L << 41) + " + s.rnk * " + (1L << 21) + " + " + ordered + " ELSE " + ordered + " * "
                + (1L << 21) + " + s.rnk END";
        var select = new StringBuilder("SELECT ");
        for (String column : TABLE_COLUMNS) {
            select.append(
                            switch (column) {
                                case "attempt" -> attempt;
                                case "replay" -> replay;
                                case "precedence" -> precedence;
                                case "eta", "expires", "submitted_at", "started_at", "finished_at" ->
                                    "CAST(s." + column + " AS TIMESTAMP WITH TIME ZONE)";
                                case "updated_at" -> "CAST(? AS TIMESTAMP WITH TIME ZONE)";
                                default -> "s." + column;
                            })
                    .append(" AS ")
                    .append(column)
                    .append(", ");
        }
        select.setLength(select.length() - 2);
        select.append(" FROM UNNEST(");
        var names = new ArrayList<String>();
        for (Column column : COLUMNS) {
            select.append("CAST(? AS ").append(column.sqlType()).append(" ARRAY), ");
            names.add(column.name());
        }
        select.setLength(select.length() - 2);
        select.append(") AS s(").append(String.join(", ", names)).append(")");
        return select.toString();
    }

    /** How a stored row {@code t} takes in an incoming one, as SET assignments; {@code n} names the incoming row. */
    private static String assignments(String n) {
        String newer = n + ".precedence > t.precedence";
        var set = new ArrayList<String>();
        for (String column : WITH_THE_STATE) {
            set.add(column + " = CASE WHEN " + newer + " THEN " + n + "." + column + " ELSE t." + column + " END");
        }
        set.add("replay = CASE WHEN " + n + ".replay > t.replay THEN " + n + ".replay ELSE t.replay END");
        set.add("started_at = CASE WHEN " + n + ".replay > t.replay THEN " + n + ".started_at"
                + " WHEN " + n + ".replay < t.replay OR " + n + ".started_at IS NULL THEN t.started_at"
                + " WHEN t.started_at IS NULL OR " + n + ".started_at > t.started_at THEN " + n + ".started_at"
                + " ELSE t.started_at END");
        set.add("progress = CASE WHEN " + n + ".replay > t.replay THEN " + n + ".progress"
                + " WHEN " + n + ".replay < t.replay OR " + n + ".progress IS NULL OR t.state IN "
                + TERMINAL_STATES
                + " THEN t.progress ELSE " + n + ".progress END");
        set.add("task = CASE WHEN t.task = '" + TaskChange.UNKNOWN_TASK + "' THEN " + n + ".task ELSE t.task END");
        for (String column : FIRST_KNOWN) {
            set.add(column + " = COALESCE(t." + column + ", " + n + "." + column + ")");
        }
        set.add("updated_at = " + n + ".updated_at");
        set.add("history = CASE WHEN " + n + ".history IS NULL THEN t.history WHEN t.history IS NULL THEN " + n
                + ".history ELSE t.history || " + n + ".history END");
        return String.join(", ", set);
    }

    static String writeStatement(LedgerDialect dialect) {
        String columns = String.join(", ", TABLE_COLUMNS);
        return switch (dialect) {
            case POSTGRESQL ->
                "INSERT INTO tasks AS t (" + columns + ") " + incoming() + " ON CONFLICT (id) DO UPDATE SET "
                        + assignments("EXCLUDED");
            case H2 ->
                "MERGE INTO tasks AS t USING (" + incoming() + ") AS n ON t.id = n.id WHEN MATCHED THEN UPDATE SET "
                        + assignments("n") + " WHEN NOT MATCHED THEN INSERT (" + columns + ") VALUES ("
                        + String.join(
                                ", ", TABLE_COLUMNS.stream().map(c -> "n." + c).toList()) + ")";
        };
    }

    private static final String RECORD_COLUMNS = "id, task, queue, state, attempt, args, kwargs, result,"
            + " result_truncated, error_type, error_message, traceback, progress, worker, parent_id, root_id, eta,"
            + " expires, submitted_at, started_at, finished_at";

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }

    private static final RowMapper<TaskRecord> RECORD = (rs, n) -> new TaskRecord(
            rs.getString("id"),
            rs.getString("task"),
            rs.getString("queue"),
            TaskState.valueOf(rs.getString("state")),
            rs.getInt("attempt"),
            rs.getString("args"),
            rs.getString("kwargs"),
            rs.getString("result"),
            rs.getBoolean("result_truncated"),
            rs.getString("error_type"),
            rs.getString("error_message"),
            rs.getString("traceback"),
            rs.getString("progress"),
            rs.getString("worker"),
            rs.getString("parent_id"),
            rs.getString("root_id"),
            instant(rs, "eta"),
            instant(rs, "expires"),
            instant(rs, "submitted_at"),
            instant(rs, "started_at"),
            instant(rs, "finished_at"));
}
