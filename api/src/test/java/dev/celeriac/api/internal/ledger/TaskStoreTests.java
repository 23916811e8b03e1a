package dev.celeriac.api.internal.ledger;

import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The task store on an embedded H2 database (the default ledger), migrated by the real Flyway scripts. */
class TaskStoreTests extends TaskStoreContract {

    @Override
    DataSource freshDatabase() {
        return new DriverManagerDataSource(
                "jdbc:h2:mem:" + UUID.randomUUID()
                        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1",
                "sa",
                "");
    }
}
