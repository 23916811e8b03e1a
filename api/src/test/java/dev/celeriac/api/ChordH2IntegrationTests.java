package dev.celeriac.api;

import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Chords with the ledger on the embedded H2 database (the default). */
class ChordH2IntegrationTests extends ChordContract {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    @BeforeAll
    static void startApi() {
        start(rabbit.endpoint(), TestApps.h2Ledger());
    }
}
