package dev.celeriac.api;

import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import dev.celeriac.testsupport.database.IsolatedDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Chords with the ledger on PostgreSQL (production). */
class ChordPostgresIntegrationTests extends ChordContract {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    @RegisterExtension
    static final IsolatedDatabase database = new IsolatedDatabase();

    @BeforeAll
    static void startApi() {
        start(rabbit.endpoint(), database.endpoint().springProperties());
    }
}
