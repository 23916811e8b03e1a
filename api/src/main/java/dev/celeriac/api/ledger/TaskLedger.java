package dev.celeriac.api.ledger;

import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.names.EventFields;
import dev.celeriac.protocol.state.TaskState;
import dev.celeriac.protocol.state.TaskStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The authoritative record of tasks. Events may arrive twice or out of order: each is merged by
 * {@link TaskStatus#merge}, so a task never moves backwards; the data an event carries (result, error, worker) is
 * kept only when its state is the one that wins. A task is known from the moment it is accepted (or, for tasks sent
 * by other producers, from its first event); an id never seen is unknown, never PENDING.
 */
public final class TaskLedger {

    /** What is known of a task when it is accepted. */
    public record Submitted(
            String id,
            String task,
            String queue,
            String args,
            String kwargs,
            String parentId,
            String rootId,
            Instant eta,
            Instant expires) {}

    static final String UNKNOWN_TASK = "(unknown)";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final int resultLimit;
    private final Clock clock;

    public TaskLedger(JdbcTemplate jdbc, TransactionTemplate transactions, int resultLimit, Clock clock) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.resultLimit = resultLimit;
        this.clock = clock;
    }

    /**
     * Records an accepted task as PENDING, unless its events got here first, and returns the record as stored: what
     * the submit answers, with no read of the ledger after the publish.
     */
    public TaskRecord recordSubmitted(Submitted task) {
        return transactions.execute(status -> {
            Row row = lock(task.id());
            if (row == null) {
                // At the database's precision, so that the record returned is the record stored.
                row = Row.fresh(task.id(), clock.instant().truncatedTo(ChronoUnit.MICROS));
                row.state = TaskState.PENDING;
                history(task.id(), row.submittedAt, TaskState.PENDING, 0, null, "submitted");
            }
            row.task = task.task();
            row.queue = task.queue();
            row.args = task.args();
            row.kwargs = task.kwargs();
            row.parentId = task.parentId();
            row.rootId = task.rootId();
            row.eta = task.eta();
            row.expires = task.expires();
            save(row);
            return row.toRecord();
        });
    }

    /** What an idempotency key already stands for. */
    public record IdempotentTask(String requestHash, String taskId) {}

    /**
     * Claims an idempotency key for a new task, in its own transaction: returns empty if the key is new (and now
     * claimed), or what it was claimed for before.
     */
    public Optional<IdempotentTask> claimIdempotencyKey(String key, String requestHash, String taskId) {
        try {
            jdbc.update(
                    "INSERT INTO idempotency_keys (idempotency_key, request_hash, task_id, created_at)"
                            + " VALUES (?, ?, ?, ?)",
                    key,
                    requestHash,
                    taskId,
                    Timestamp.from(clock.instant()));
            return Optional.empty();
        } catch (org.springframework.dao.DuplicateKeyException e) {
            return jdbc
                    .query(
                            "SELECT request_hash, task_id FROM idempotency_keys WHERE idempotency_key = ?",
                            (rs, n) -> new IdempotentTask(rs.getString(1), rs.getString(2)),
                            key)
                    .stream()
                    .findFirst();
        }
    }

    /** Releases a claimed key whose task was not accepted, so that the client can try again with it. */
    public void releaseIdempotencyKey(String key, String taskId) {
        jdbc.update("DELETE FROM idempotency_keys WHERE idempotency_key = ? AND task_id = ?", key, taskId);
    }

    /** Stores a revocation; the caller then publishes it to the workers. */
    public void recordRevocation(String taskId, boolean terminate) {
        transactions.executeWithoutResult(status -> {
            int updated = jdbc.update(
                    "UPDATE revocations SET terminate = ?, revoked_at = ? WHERE task_id = ?",
                    terminate,
                    Timestamp.from(clock.instant()),
                    taskId);
            if (updated == 0) {
                jdbc.update(
                        "INSERT INTO revocations (task_id, terminate, revoked_at) VALUES (?, ?, ?)",
                        taskId,
                        terminate,
                        Timestamp.from(clock.instant()));
            }
        });
    }

    /** Whether the task was revoked through the API. */
    public boolean isRevoked(String taskId) {
        Integer count =
                jdbc.queryForObject("SELECT COUNT(*) FROM revocations WHERE task_id = ?", Integer.class, taskId);
        return count != null && count > 0;
    }

    /** A page of tasks, newest first. */
    public record Page(List<TaskRecord> tasks, String nextCursor) {}

    /**
     * Tasks matching the filters (each may be {@code null}), newest first, after the cursor of a previous page.
     *
     * @throws IllegalArgumentException if the cursor is not one this ledger gave out
     */
    public Page page(TaskState state, String task, String queue, int limit, String cursor) {
        var sql = new StringBuilder("SELECT * FROM tasks WHERE 1 = 1");
        var arguments = new ArrayList<Object>();
        if (state != null) {
            sql.append(" AND state = ?");
            arguments.add(state.name());
        }
        if (task != null) {
            sql.append(" AND task = ?");
            arguments.add(task);
        }
        if (queue != null) {
            sql.append(" AND queue = ?");
            arguments.add(queue);
        }
        if (cursor != null) {
            Cursor after = Cursor.decode(cursor);
            sql.append(" AND (submitted_at < ? OR (submitted_at = ? AND id < ?))");
            arguments.add(Timestamp.from(after.submittedAt()));
            arguments.add(Timestamp.from(after.submittedAt()));
            arguments.add(after.id());
        }
        sql.append(" ORDER BY submitted_at DESC, id DESC LIMIT ?");
        arguments.add(limit + 1);
        List<TaskRecord> rows = jdbc.query(sql.toString(), RECORD, arguments.toArray());
        if (rows.size() <= limit) {
            return new Page(rows, null);
        }
        List<TaskRecord> page = rows.subList(0, limit);
        TaskRecord last = page.getLast();
        return new Page(List.copyOf(page), new Cursor(last.submittedAt(), last.id()).encode());
    }

    /** Where a page ended: opaque to clients. */
    record Cursor(Instant submittedAt, String id) {
        String encode() {
            String raw = submittedAt.toEpochMilli() * 1_000_000L + submittedAt.getNano() % 1_000_000 + ":" + id;
            return java.util.Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        static Cursor decode(String cursor) {
            try {
                String raw = new String(
                        java.util.Base64.getUrlDecoder().decode(cursor), java.nio.charset.StandardCharsets.UTF_8);
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
     * Records that a dead-lettered task was put back on its queue: it is PENDING again from attempt 0, a step the
     * event merge would never take on its own, and its history says so.
     */
    public void replayed(String id, String task, String queue, long deadLetterId) {
        transactions.executeWithoutResult(status -> {
            Row row = lock(id);
            if (row == null) {
                row = Row.fresh(id, clock.instant());
                row.task = task;
                row.queue = queue;
            }
            row.state = TaskState.PENDING;
            row.attempt = 0;
            row.finishedAt = null;
            row.startedAt = null;
            row.result = null;
            save(row);
            history(id, clock.instant(), TaskState.PENDING, 0, null, "replayed from dead letter " + deadLetterId);
        });
    }

    /** Records that a replay could not be published: the task is FAILURE again, its dead letter kept. */
    public void replayAborted(String id, long deadLetterId) {
        transactions.executeWithoutResult(status -> {
            Row row = lock(id);
            if (row != null) {
                row.state = TaskState.FAILURE;
                row.finishedAt = clock.instant();
                save(row);
                history(
                        id,
                        clock.instant(),
                        TaskState.FAILURE,
                        row.attempt,
                        null,
                        "replay of dead letter " + deadLetterId + " was not accepted by the broker");
            }
        });
    }

    /**
     * Removes tasks that finished before the cutoff, with their history, and idempotency keys older than it.
     *
     * @return how many tasks were removed
     */
    public int expire(Instant cutoff) {
        Timestamp before = Timestamp.from(cutoff);
        return transactions.execute(status -> {
            jdbc.update(
                    "DELETE FROM task_history WHERE task_id IN (SELECT id FROM tasks WHERE finished_at < ?"
                            + " AND state IN ('SUCCESS', 'FAILURE', 'REVOKED'))",
                    before);
            int removed = jdbc.update(
                    "DELETE FROM tasks WHERE finished_at < ? AND state IN ('SUCCESS', 'FAILURE', 'REVOKED')", before);
            jdbc.update("DELETE FROM idempotency_keys WHERE created_at < ?", before);
            return removed;
        });
    }

    /** Forgets an accepted task whose publish then failed, so that nothing half-accepted stays behind. */
    public void forgetUnpublished(String id) {
        transactions.executeWithoutResult(status -> {
            jdbc.update("DELETE FROM tasks WHERE id = ? AND state = 'PENDING'", id);
            jdbc.update("DELETE FROM task_history WHERE task_id = ?", id);
        });
    }

    /**
     * Merges a batch of events in one transaction.
     *
     * @return ids of the tasks of the batch that are now in a terminal state
     */
    public Set<String> apply(List<TaskEvent> events) {
        var byTask = new LinkedHashMap<String, List<TaskEvent>>();
        events.forEach(
                e -> byTask.computeIfAbsent(e.uuid(), id -> new ArrayList<>()).add(e));
        var ended = new HashSet<String>();
        transactions.executeWithoutResult(status -> {
            // One round of statements per batch, not per task: lock every row at once, merge in memory, then write
            // the rows and their history as JDBC batches.
            Map<String, Row> rows = lockAll(byTask.keySet());
            var changed = new ArrayList<Row>(byTask.size());
            var history = new ArrayList<Object[]>();
            byTask.forEach((id, taskEvents) -> {
                Row row = rows.get(id);
                if (row == null) {
                    row = Row.fresh(id, taskEvents.getFirst().source().instant());
                }
                for (TaskEvent event : taskEvents) {
                    merge(row, event, history);
                }
                changed.add(row);
                if (row.state.isTerminal()) {
                    ended.add(id);
                }
            });
            saveAll(changed);
            if (!history.isEmpty()) {
                jdbc.batchUpdate(HISTORY_INSERT, history);
            }
        });
        return ended;
    }

    /** The task, or empty if the ledger never heard of it. */
    public Optional<TaskRecord> find(String id) {
        return jdbc.query("SELECT * FROM tasks WHERE id = ?", RECORD, id).stream()
                .findFirst();
    }

    /** The state changes of a task, oldest first. */
    public List<Map<String, Object>> history(String id) {
        return jdbc.queryForList(
                "SELECT at, state, attempt, worker, detail FROM task_history WHERE task_id = ? ORDER BY at, state", id);
    }

    private void merge(Row row, TaskEvent event, List<Object[]> history) {
        Instant at = event.source().instant();
        String worker = event.source().hostname();
        if (event instanceof TaskEvent.Progress progress) {
            if (!row.state.isTerminal()) {
                row.progress = progress.progress();
            }
            return;
        }
        if (event instanceof TaskEvent.Received received) {
            String queue = received.extra().get(EventFields.QUEUE) instanceof String q ? q : null;
            describe(
                    row,
                    received.name(),
                    queue,
                    received.args(),
                    received.kwargs(),
                    received.rootId(),
                    received.parentId(),
                    received.eta(),
                    received.extra().get(EventFields.EXPIRES) instanceof String expires ? expires : null);
        }
        if (event instanceof TaskEvent.Sent sent) {
            describe(
                    row,
                    sent.name(),
                    sent.queue(),
                    sent.args(),
                    sent.kwargs(),
                    sent.rootId(),
                    sent.parentId(),
                    sent.eta(),
                    sent.expires());
        }
        // When the latest attempt started is a fact whatever order events arrive in: a task-started event that
        // arrives after the task's outcome still fills it in.
        if (event instanceof TaskEvent.Started
                && attemptOf(event, row.attempt) >= row.attempt
                && (row.startedAt == null || at.isAfter(row.startedAt))) {
            row.startedAt = at;
        }
        TaskStatus incoming = new TaskStatus(stateOf(event), attemptOf(event, row.attempt));
        TaskStatus current = new TaskStatus(row.state, row.attempt);
        TaskStatus merged = TaskStatus.merge(current, incoming);
        if (merged.equals(current) && !(row.isNew && current.equals(incoming))) {
            return; // a duplicate, or an event older than what is known: nothing it says is newer
        }
        row.isNew = false;
        row.state = merged.state();
        row.attempt = merged.attempt();
        row.worker = worker;
        String detail = null;
        switch (event) {
            case TaskEvent.Started ignored -> row.startedAt = at;
            case TaskEvent.Succeeded succeeded -> {
                row.finishedAt = at;
                String result = succeeded.result();
                row.resultTruncated = result != null && result.length() > resultLimit;
                row.result = row.resultTruncated ? result.substring(0, resultLimit) : result;
                row.errorType = null;
                row.errorMessage = null;
                row.traceback = null;
            }
            case TaskEvent.Failed failed -> {
                row.finishedAt = at;
                setError(row, failed.exception(), failed.traceback());
                detail = String.valueOf(failed.extra().getOrDefault("reason", ""));
            }
            case TaskEvent.Retried retried -> {
                setError(row, retried.exception(), retried.traceback());
                detail = retried.exception();
            }
            case TaskEvent.Revoked revoked -> {
                row.finishedAt = at;
                detail = revoked.expired() ? "expired" : revoked.terminated() ? "terminated" : "revoked";
            }
            case TaskEvent.Rejected rejected -> {
                row.finishedAt = at;
                detail = String.valueOf(rejected.extra().getOrDefault("reason", "rejected"));
                row.errorType = "Rejected";
                row.errorMessage = String.valueOf(rejected.extra().getOrDefault("detail", detail));
            }
            default -> {}
        }
        history.add(historyRow(row.id, at, row.state, row.attempt, worker, detail));
    }

    /** Fills in what the row does not know yet about the task, from a task-sent or task-received event. */
    private static void describe(
            Row row,
            String name,
            String queue,
            String args,
            String kwargs,
            String rootId,
            String parentId,
            String eta,
            String expires) {
        if (row.task == null || row.task.equals(UNKNOWN_TASK)) {
            row.task = name;
        }
        row.queue = row.queue != null ? row.queue : queue;
        row.args = row.args != null ? row.args : args;
        row.kwargs = row.kwargs != null ? row.kwargs : kwargs;
        row.rootId = row.rootId != null ? row.rootId : rootId;
        row.parentId = row.parentId != null ? row.parentId : parentId;
        row.eta = row.eta != null ? row.eta : time(eta);
        row.expires = row.expires != null ? row.expires : time(expires);
    }

    /** A time an event gives in Celery's ISO 8601 form, or {@code null} when it gives none or a malformed one. */
    private static Instant time(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return dev.celeriac.protocol.message.CeleryTimes.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private static void setError(Row row, String exception, String traceback) {
        // Celery writes "Type('message')"; keep the type and the message apart.
        int paren = exception == null ? -1 : exception.indexOf('(');
        row.errorType = paren > 0 ? exception.substring(0, paren) : exception;
        row.errorMessage = paren > 0 && exception.endsWith(")")
                ? unquote(exception.substring(paren + 1, exception.length() - 1))
                : exception;
        row.traceback = traceback;
    }

    private static String unquote(String text) {
        if (text.length() >= 2
                && (text.startsWith("'") && text.endsWith("'") || text.startsWith("\"") && text.endsWith("\""))) {
            return text.substring(1, text.length() - 1).replace("\\'", "'");
        }
        return text;
    }

    static TaskState stateOf(TaskEvent event) {
        return switch (event) {
            case TaskEvent.Sent ignored -> TaskState.PENDING;
            case TaskEvent.Received ignored -> TaskState.RECEIVED;
            case TaskEvent.Started ignored -> TaskState.STARTED;
            case TaskEvent.Succeeded ignored -> TaskState.SUCCESS;
            case TaskEvent.Failed ignored -> TaskState.FAILURE;
            case TaskEvent.Retried ignored -> TaskState.RETRY;
            case TaskEvent.Revoked ignored -> TaskState.REVOKED;
            case TaskEvent.Rejected ignored -> TaskState.FAILURE;
            case TaskEvent.Progress ignored -> TaskState.STARTED;
        };
    }

    /**
     * The attempt an event belongs to: its {@code retries} (Celeriac adds it to every task event; on
     * {@code task-retried} it is the next attempt's), else the attempt already known.
     */
    static int attemptOf(TaskEvent event, int known) {
        return switch (event) {
            case TaskEvent.Received received -> received.retries();
            case TaskEvent.Sent sent -> sent.retries();
            case TaskEvent.Retried retried ->
                retried.extra().get(EventFields.RETRIES) instanceof Number n ? Math.max(0, n.intValue() - 1) : known;
            default -> event.extra().get(EventFields.RETRIES) instanceof Number n ? n.intValue() : known;
        };
    }

    private static final String HISTORY_INSERT =
            "INSERT INTO task_history (task_id, at, state, attempt, worker, detail) VALUES (?, ?, ?, ?, ?, ?)";

    private void history(String id, Instant at, TaskState state, int attempt, String worker, String detail) {
        jdbc.update(HISTORY_INSERT, historyRow(id, at, state, attempt, worker, detail));
    }

    private static Object[] historyRow(
            String id, Instant at, TaskState state, int attempt, String worker, String detail) {
        return new Object[] {id, Timestamp.from(at), state.name(), attempt, worker, detail};
    }

    /** A task row being changed inside a transaction. */
    private static final class Row {
        String id;
        String task;
        String queue;
        TaskState state;
        int attempt;
        String args;
        String kwargs;
        String result;
        boolean resultTruncated;
        String errorType;
        String errorMessage;
        String traceback;
        String progress;
        String worker;
        String parentId;
        String rootId;
        Instant eta;
        Instant expires;
        Instant submittedAt;
        Instant startedAt;
        Instant finishedAt;
        boolean isNew;
        boolean exists;

        TaskRecord toRecord() {
            return new TaskRecord(
                    id,
                    task,
                    queue,
                    state,
                    attempt,
                    args,
                    kwargs,
                    result,
                    resultTruncated,
                    errorType,
                    errorMessage,
                    traceback,
                    progress,
                    worker,
                    parentId,
                    rootId,
                    eta,
                    expires,
                    submittedAt,
                    startedAt,
                    finishedAt);
        }

        static Row fresh(String id, Instant at) {
            var row = new Row();
            row.id = id;
            row.task = UNKNOWN_TASK;
            row.state = TaskState.PENDING;
            row.submittedAt = at;
            row.isNew = true;
            return row;
        }
    }

    private Row lock(String id) {
        List<Row> rows = jdbc.query("SELECT * FROM tasks WHERE id = ? FOR UPDATE", ROW, id);
        return rows.isEmpty() ? null : rows.getFirst();
    }

    /** Most ids in one {@code IN} list. */
    private static final int LOCK_CHUNK = 500;

    /** Locks the rows of the given ids that exist, in id order (so concurrent lockers cannot deadlock). */
    private Map<String, Row> lockAll(java.util.Collection<String> ids) {
        var sorted = new ArrayList<>(new java.util.TreeSet<>(ids));
        var rows = new java.util.HashMap<String, Row>();
        for (int from = 0; from < sorted.size(); from += LOCK_CHUNK) {
            List<String> chunk = sorted.subList(from, Math.min(sorted.size(), from + LOCK_CHUNK));
            String marks = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
            jdbc.query("SELECT * FROM tasks WHERE id IN (" + marks + ") ORDER BY id FOR UPDATE", ROW, chunk.toArray())
                    .forEach(row -> rows.put(row.id, row));
        }
        return rows;
    }

    private void saveAll(List<Row> rows) {
        var updates = new ArrayList<Object[]>();
        var inserts = new ArrayList<Object[]>();
        for (Row r : rows) {
            (r.exists ? updates : inserts).add(values(r));
            r.exists = true;
        }
        if (!updates.isEmpty()) {
            jdbc.batchUpdate(UPDATE, updates);
        }
        if (!inserts.isEmpty()) {
            jdbc.batchUpdate(INSERT, inserts);
        }
    }

    private static final String UPDATE = "UPDATE tasks SET task = ?, queue = ?, state = ?, attempt = ?, args = ?,"
            + " kwargs = ?, result = ?, result_truncated = ?, error_type = ?, error_message = ?, traceback = ?,"
            + " progress = ?, worker = ?, parent_id = ?, root_id = ?, eta = ?, expires = ?, submitted_at = ?,"
            + " started_at = ?, finished_at = ?, updated_at = ? WHERE id = ?";
    private static final String INSERT = "INSERT INTO tasks (task, queue, state, attempt, args, kwargs, result,"
            + " result_truncated, error_type, error_message, traceback, progress, worker, parent_id, root_id, eta,"
            + " expires, submitted_at, started_at, finished_at, updated_at, id)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private void save(Row r) {
        jdbc.update(r.exists ? UPDATE : INSERT, values(r));
        r.exists = true;
    }

    /** A row's columns in the order of {@link #UPDATE} and {@link #INSERT}. */
    private Object[] values(Row r) {
        return new Object[] {
            r.task,
            r.queue,
            r.state.name(),
            r.attempt,
            r.args,
            r.kwargs,
            r.result,
            r.resultTruncated,
            r.errorType,
            r.errorMessage,
            r.traceback,
            r.progress,
            r.worker,
            r.parentId,
            r.rootId,
            ts(r.eta),
            ts(r.expires),
            ts(r.submittedAt),
            ts(r.startedAt),
            ts(r.finishedAt),
            Timestamp.from(clock.instant()),
            r.id
        };
    }

    private static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }

    private static final RowMapper<Row> ROW = (rs, n) -> {
        var row = new Row();
        row.id = rs.getString("id");
        row.task = rs.getString("task");
        row.queue = rs.getString("queue");
        row.state = TaskState.valueOf(rs.getString("state"));
        row.attempt = rs.getInt("attempt");
        row.args = rs.getString("args");
        row.kwargs = rs.getString("kwargs");
        row.result = rs.getString("result");
        row.resultTruncated = rs.getBoolean("result_truncated");
        row.errorType = rs.getString("error_type");
        row.errorMessage = rs.getString("error_message");
        row.traceback = rs.getString("traceback");
        row.progress = rs.getString("progress");
        row.worker = rs.getString("worker");
        row.parentId = rs.getString("parent_id");
        row.rootId = rs.getString("root_id");
        row.eta = instant(rs, "eta");
        row.expires = instant(rs, "expires");
        row.submittedAt = instant(rs, "submitted_at");
        row.startedAt = instant(rs, "started_at");
        row.finishedAt = instant(rs, "finished_at");
        row.exists = true;
        return row;
    };

    private static final RowMapper<TaskRecord> RECORD =
            (rs, n) -> ROW.mapRow(rs, n).toRecord();
}
