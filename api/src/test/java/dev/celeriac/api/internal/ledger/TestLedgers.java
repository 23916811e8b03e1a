package dev.celeriac.api.internal.ledger;

import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** Ledgers for tests: a fresh embedded H2 database configured as the default ledger is, and the real migrations. */
public final class TestLedgers {

    private TestLedgers() {}

    /** The JDBC URL of a fresh in-memory H2 database, in the mode the default ledger uses. */
    public static String h2Url() {
        return "jdbc:h2:mem:" + UUID.randomUUID()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1";
    }

    /** A fresh in-memory H2 database, not migrated. */
    public static DataSource h2() {
        return new DriverManagerDataSource(h2Url(), "sa", "");
    }

    /** Migrates a database to the newest ledger schema, with the real Flyway scripts and Java migrations. */
    public static void migrate(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .javaMigrations(new HistoryMigration(), new ArgumentSearchMigration())
                .load()
                .migrate();
    }
}
