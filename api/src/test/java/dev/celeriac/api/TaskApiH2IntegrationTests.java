package dev.celeriac.api;

import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The API contract with the ledger on the embedded H2 database (the default). */
class TaskApiH2IntegrationTests extends TaskApiContract {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    @BeforeAll
    static void startApi() {
        start(rabbit.endpoint(), TestApps.h2Ledger());
    }
}
