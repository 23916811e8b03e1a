package dev.celeriac.api;

import dev.celeriac.api.internal.ledger.TestLedgers;
import dev.celeriac.testsupport.broker.RabbitEndpoint;
import dev.celeriac.worker.demo.DemoTasks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/** The command lines the API's contract tests start an API and a worker with. */
final class TestApps {

    /** The demo tasks' worker, as the tests run it in their own JVM. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(DemoTasks.class)
    static class DemoWorker {}

    private TestApps() {}

    /** Starts a demo worker in this JVM with these {@code --name=value} arguments, without a web server. */
    static ConfigurableApplicationContext demoWorker(List<String> arguments) {
        return worker(DemoWorker.class, arguments);
    }

    /** Starts a worker of these tasks (a configuration that imports them) in this JVM, without a web server. */
    static ConfigurableApplicationContext worker(Class<?> tasks, List<String> arguments) {
        return new SpringApplicationBuilder(tasks).web(WebApplicationType.NONE).run(arguments.toArray(String[]::new));
    }

    /** Closes what a test class started, in this order, skipping what it never started. */
    static void close(AutoCloseable... started) throws Exception {
        for (AutoCloseable each : started) {
            if (each != null) {
                each.close();
            }
        }
    }

    /** A ledger of its own on the embedded H2 database, in memory, as the default ledger is configured. */
    static Map<String, String> h2Ledger() {
        return Map.of("spring.datasource.url", TestLedgers.h2Url());
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
