package dev.celeriac.api;

import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import dev.celeriac.testsupport.database.IsolatedDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Schedules with the ledger on PostgreSQL (production), shared by two API instances. */
class SchedulePostgresIntegrationTests extends ScheduleContract {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    @RegisterExtension
    static final IsolatedDatabase database = new IsolatedDatabase();

    @BeforeAll
    static void startApis() {
        start(rabbit.endpoint(), database.endpoint().springProperties());
    }
}
