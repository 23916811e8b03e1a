package dev.celeriac.api;

import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Schedules with the ledger on the embedded H2 database (the default), shared by two API instances. */
class ScheduleH2IntegrationTests extends ScheduleContract {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    @BeforeAll
    static void startApis() {
        start(
                rabbit.endpoint(),
                Map.of(
                        "spring.datasource.url",
                        "jdbc:h2:mem:" + UUID.randomUUID()
                                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1"));
    }
}
