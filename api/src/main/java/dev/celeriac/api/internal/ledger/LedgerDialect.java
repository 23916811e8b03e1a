package dev.celeriac.api.internal.ledger;

import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * The SQL the ledger's databases differ in. Everything else the ledger writes is portable between them; only the
 * merge of a batch into existing rows is not: PostgreSQL merges with {@code INSERT … ON CONFLICT DO UPDATE}, which lets
 * several API instances record the same task at once, and H2 (embedded, one instance) with {@code MERGE}.
 */
public enum LedgerDialect {
    POSTGRESQL,
    H2;

    /** The dialect of the database behind the data source. */
    public static LedgerDialect of(DataSource dataSource) {
        try (var connection = dataSource.getConnection()) {
            String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
            if (product.contains("postgres")) {
                return POSTGRESQL;
            }
            if (product.contains("h2")) {
                return H2;
            }
            throw new IllegalStateException("the ledger runs on PostgreSQL or H2, not on "
                    + connection.getMetaData().getDatabaseProductName());
        } catch (SQLException e) {
            throw new IllegalStateException("could not tell which database the ledger is on", e);
        }
    }
}
