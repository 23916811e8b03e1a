package dev.celeriac.testsupport;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * Where integration tests find RabbitMQ and PostgreSQL: in Testcontainers when a Docker engine answers, otherwise on
 * this machine (127.0.0.1). {@code CELERIAC_TEST_SERVICES=docker|local} (environment or system property
 * {@code celeriac.test.services}) forces one.
 */
public enum ServiceMode {
    /** Containers started by Testcontainers, one per kind for the whole test JVM. */
    DOCKER,
    /** The services running on this machine, reached on 127.0.0.1 and administered with their command-line tools. */
    LOCAL;

    private static final Logger log = LoggerFactory.getLogger(ServiceMode.class);

    /** The mode of this test JVM, decided once. */
    public static ServiceMode current() {
        return Holder.MODE;
    }

    /** Decides once, on first use, as class initialisation guarantees. */
    private static final class Holder {
        static final ServiceMode MODE = decideAndLog();
    }

    private static ServiceMode decideAndLog() {
        ServiceMode mode = decide();
        log.info("integration tests use {} services", mode.name().toLowerCase(Locale.ROOT));
        return mode;
    }

    private static ServiceMode decide() {
        String forced = System.getProperty("celeriac.test.services", System.getenv("CELERIAC_TEST_SERVICES"));
        if (forced != null && !forced.isBlank() && !forced.equalsIgnoreCase("auto")) {
            return switch (forced.trim().toLowerCase(Locale.ROOT)) {
                case "docker", "testcontainers" -> DOCKER;
                case "local" -> LOCAL;
                default ->
                    throw new IllegalStateException(
                            "CELERIAC_TEST_SERVICES must be auto, docker or local, was '" + forced + "'");
            };
        }
        return DockerClientFactory.instance().isDockerAvailable() ? DOCKER : LOCAL;
    }
}
