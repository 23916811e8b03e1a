package dev.celeriac.testsupport.broker;

import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test class a virtual host of its own on the real test broker, created before its first test and deleted
 * after its last, so that queues and messages of one test class never meet another's. Register it as a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();
 * ...
 * rabbit.endpoint().connectionFactory()
 * }</pre>
 *
 * Test methods and constructors may also take a {@link RabbitEndpoint} parameter.
 */
public final class IsolatedVirtualHost implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private volatile RabbitEndpoint endpoint;

    @Override
    public void beforeAll(ExtensionContext context) {
        String name = "celeriac-test-"
                + context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT)
                + "-" + UUID.randomUUID().toString().substring(0, 8);
        endpoint = RabbitBroker.get().createVirtualHost(name);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (endpoint != null) {
            RabbitBroker.get().deleteVirtualHost(endpoint.virtualHost());
            endpoint = null;
        }
    }

    /** The endpoint of this test class's virtual host. */
    public RabbitEndpoint endpoint() {
        if (endpoint == null) {
            throw new IllegalStateException("the virtual host exists only while the test class runs");
        }
        return endpoint;
    }

    /** The broker that holds the virtual host. */
    public RabbitBroker broker() {
        return RabbitBroker.get();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == RabbitEndpoint.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return endpoint();
    }
}
