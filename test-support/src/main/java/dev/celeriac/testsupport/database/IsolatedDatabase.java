package dev.celeriac.testsupport.database;

import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test class an empty PostgreSQL database of its own, created before its first test and dropped after its
 * last. Register it as a static field with {@code @RegisterExtension}; test methods may also take a
 * {@link PostgresEndpoint} parameter.
 */
public final class IsolatedDatabase implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private volatile PostgresEndpoint endpoint;

    @Override
    public void beforeAll(ExtensionContext context) {
        String name = "celeriac_test_"
                + context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT)
                + "_" + UUID.randomUUID().toString().substring(0, 8);
        endpoint = PostgresServer.get().createDatabase(name);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (endpoint != null) {
            PostgresServer.get().dropDatabase(endpoint.database());
            endpoint = null;
        }
    }

    /** The endpoint of this test class's database. */
    public PostgresEndpoint endpoint() {
        if (endpoint == null) {
            throw new IllegalStateException("the database exists only while the test class runs");
        }
        return endpoint;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == PostgresEndpoint.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return endpoint();
    }
}
