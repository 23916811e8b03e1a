package dev.celeriac.api.internal.schedule;

import dev.celeriac.api.internal.ledger.TestLedgers;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.core.JdbcTemplate;

/** The fire store on PostgreSQL (production), where several API instances fire and pause at once. */
class FireStorePostgresIntegrationTests extends FireStoreContract {

    @RegisterExtension
    final TestLedgers.PostgresDatabases databases = new TestLedgers.PostgresDatabases("celeriac_test_fires_");

    @Override
    DataSource freshDatabase() {
        return databases.fresh();
    }

    @Override
    int sessionsWaitingForALock(JdbcTemplate jdbc) {
        Integer waiting = jdbc.queryForObject(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
                Integer.class);
        return waiting == null ? 0 : waiting;
    }
}
