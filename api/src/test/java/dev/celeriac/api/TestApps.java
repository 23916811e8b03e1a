package dev.celeriac.api;

import dev.celeriac.testsupport.broker.RabbitEndpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The command lines the API's contract tests start an API and a worker with. */
final class TestApps {

    private TestApps() {}

    /** A ledger of its own on the embedded H2 database, in memory, as the default ledger is configured. */
    static Map<String, String> h2Ledger() {
        return Map.of(
                "spring.datasource.url",
                "jdbc:h2:mem:" + UUID.randomUUID()
                        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
    }

    /** The broker's connection, as {@code --name=value} arguments (a worker needs no more). */
    static List<String> brokerArguments(RabbitEndpoint rabbit) {
        var arguments = new ArrayList<String>();
        rabbit.springProperties().forEach((k, v) -> arguments.add("--" + k + "=" + v));
        return arguments;
    }

    /** An API on the broker and the ledger given, on a free port. */
    static List<String> apiArguments(RabbitEndpoint rabbit, Map<String, String> datasource) {
        var arguments = brokerArguments(rabbit);
        datasource.forEach((k, v) -> arguments.add("--" + k + "=" + v));
        arguments.add("--server.port=0");
        return arguments;
    }
}
