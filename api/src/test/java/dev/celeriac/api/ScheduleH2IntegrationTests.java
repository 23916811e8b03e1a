package dev.celeriac.api;

import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Schedules with the ledger on the embedded H2 database (the default), shared by two API instances. */
class ScheduleH2IntegrationTests extends ScheduleContract {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    @BeforeAll
    static void startApis() {
        start(rabbit.endpoint(), TestApps.h2Ledger());
    }
}
