package dev.celeriac.api.internal.ledger;

import dev.celeriac.protocol.state.TaskState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.flywaydb.core.api.migration.Context;

/**
 * Migration 7: moves each task's history from the {@code task_history} table (a row per state change, each with its
 * index entry) into the task's own row, one line per change, and drops the table. On PostgreSQL it also leaves room
 * on each page of {@code tasks} so that a task's state changes update its row in place (HOT). Written in Java because
 * the databases share no way to build the lines in SQL.
 */
public final class HistoryMigration extends LedgerMigration {

    /** Tasks moved per statement batch. */
    private static final int BATCH = 1_000;

    public HistoryMigration() {
        super("7", "history in the task row");
    }

    @Override
    public void migrate(Context context) throws SQLException {
        Connection connection = context.getConnection();
        try (var select = connection.prepareStatement(
                        "SELECT task_id, at, state, attempt, worker, detail FROM task_history ORDER BY task_id, at");
                var update = connection.prepareStatement("UPDATE tasks SET history = ? WHERE id = ?");
                var rows = select.executeQuery()) {
            String task = null;
            var entries = new ArrayList<HistoryEntry>();
            int pending = 0;
            while (rows.next()) {
                String id = rows.getString(1);
                if (task != null && !task.equals(id)) {
                    pending = add(update, task, entries, pending);
                    entries.clear();
                }
                task = id;
                Instant at = rows.getTimestamp(2).toInstant();
                entries.add(new HistoryEntry(
                        at,
                        TaskState.valueOf(rows.getString(3)),
                        rows.getInt(4),
                        0,
                        rows.getString(5),
                        rows.getString(6)));
            }
            if (task != null) {
                add(update, task, entries, pending);
            }
            update.executeBatch();
        }
        try (var statement = connection.createStatement()) {
            statement.execute("DROP TABLE task_history");
            String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
            if (product.contains("postgres")) {
                statement.execute("ALTER TABLE tasks SET (fillfactor = 80)");
            }
        }
    }

    private static int add(PreparedStatement update, String task, List<HistoryEntry> entries, int pending)
            throws SQLException {
        update.setString(1, HistoryLines.encode(entries));
        update.setString(2, task);
        update.addBatch();
        if (pending + 1 >= BATCH) {
            update.executeBatch();
            return 0;
        }
        return pending + 1;
    }
}
