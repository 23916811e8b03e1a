package dev.celeriac.api.internal.ledger;

import java.sql.SQLException;
import java.util.Locale;
import org.flywaydb.core.api.migration.Context;

/**
 * Migration 10: on PostgreSQL, a trigram index over each task's arguments and keyword arguments, so that a search by
 * argument ({@code GET /api/v1/tasks?search=}) finds the few tasks that hold a value among millions without reading
 * them all. The arguments never change after a task's first write, so the index costs an insert, never an update, and
 * a task's state changes stay HOT. {@code pg_trgm} ships with PostgreSQL and is a trusted extension: the ledger's
 * owner may create it. H2, the embedded single-instance ledger, searches by reading the newest tasks instead. Written
 * in Java because the two databases share no way to say this in SQL.
 */
public final class ArgumentSearchMigration extends LedgerMigration {

    public ArgumentSearchMigration() {
        super("10", "argument search");
    }

    @Override
    public void migrate(Context context) throws SQLException {
        var connection = context.getConnection();
        String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
        if (!product.contains("postgres")) {
            return;
        }
        try (var statement = connection.createStatement()) {
            statement.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm");
            statement.execute("CREATE INDEX tasks_by_arguments ON tasks USING gin (" + TaskStore.ARGUMENTS_TEXT
                    + " gin_trgm_ops)");
        }
    }
}
