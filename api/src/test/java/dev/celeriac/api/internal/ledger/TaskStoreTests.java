package dev.celeriac.api.internal.ledger;

import javax.sql.DataSource;

/** The task store on an embedded H2 database (the default ledger), migrated by the real Flyway scripts. */
class TaskStoreTests extends TaskStoreContract {

    @Override
    DataSource freshDatabase() {
        return TestLedgers.h2();
    }
}
