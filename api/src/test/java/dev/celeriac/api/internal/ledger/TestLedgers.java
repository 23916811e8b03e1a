package dev.celeriac.api.internal.ledger;

import dev.celeriac.testsupport.database.PostgresEndpoint;
import dev.celeriac.testsupport.database.PostgresServer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Ledgers for tests: a fresh embedded H2 database configured as the default ledger is, fresh PostgreSQL databases, and
 * the real migrations.
 */
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

    /**
     * Fresh PostgreSQL databases, one for each test that asks, dropped after each test. Register it as an instance
     * field with {@code @RegisterExtension}.
     */
    public static final class PostgresDatabases implements AfterEachCallback {

        private final String prefix;
        private final List<String> created = new ArrayList<>();

        /** @param prefix the start of each database's name, which says which tests it is for */
        public PostgresDatabases(String prefix) {
            this.prefix = prefix;
        }

        /** A new, empty database, not migrated. */
        public DataSource fresh() {
            String name = prefix + UUID.randomUUID().toString().substring(0, 8);
            PostgresEndpoint endpoint = PostgresServer.get().createDatabase(name);
            created.add(name);
            return new DriverManagerDataSource(endpoint.jdbcUrl(), endpoint.username(), endpoint.password());
        }

        @Override
        public void afterEach(ExtensionContext context) {
            created.forEach(PostgresServer.get()::dropDatabase);
            created.clear();
        }
    }
}
