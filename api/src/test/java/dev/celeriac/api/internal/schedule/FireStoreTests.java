package dev.celeriac.api.internal.schedule;

import dev.celeriac.api.internal.ledger.TestLedgers;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/** The fire store on an embedded H2 database (the default ledger), migrated by the real Flyway scripts. */
class FireStoreTests extends FireStoreContract {

    @Override
    DataSource freshDatabase() {
        return TestLedgers.h2();
    }

    @Override
    int sessionsWaitingForALock(JdbcTemplate jdbc) {
        Integer waiting = jdbc.queryForObject(
                "SELECT COUNT(*) FROM information_schema.sessions WHERE blocker_id IS NOT NULL", Integer.class);
        return waiting == null ? 0 : waiting;
    }
}
