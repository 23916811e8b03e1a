package dev.celeriac.testsupport.database;

import dev.celeriac.testsupport.ServiceMode;
import java.sql.SQLException;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The PostgreSQL server of this test JVM: one container pinned to {@value #IMAGE} when Docker is available, else the
 * server on 127.0.0.1:5432 (user {@code postgres}, trust authentication, as on the CI machine).
 */
public final class PostgresServer {

    /** The image used when Docker is available. */
    public static final String IMAGE = "postgres:17.6";

    private final PostgresEndpoint admin;

    private PostgresServer(PostgresEndpoint admin) {
        this.admin = admin;
    }

    /** The server of this test JVM, started on first use. */
    public static PostgresServer get() {
        return Holder.INSTANCE;
    }

    /** Creates the instance on first use, once, as class initialisation guarantees. */
    private static final class Holder {
        static final PostgresServer INSTANCE = start();
    }

    private static PostgresServer start() {
        if (ServiceMode.current() == ServiceMode.DOCKER) {
            var container = new PostgreSQLContainer(DockerImageName.parse(IMAGE));
            container.start();
            return new PostgresServer(new PostgresEndpoint(
                    container.getHost(),
                    container.getMappedPort(5432),
                    container.getDatabaseName(),
                    container.getUsername(),
                    container.getPassword()));
        }
        return new PostgresServer(new PostgresEndpoint(
                env("CELERIAC_TEST_PG_HOST", "127.0.0.1"),
                Integer.parseInt(env("CELERIAC_TEST_PG_PORT", "5432")),
                env("CELERIAC_TEST_PG_DATABASE", "postgres"),
                env("CELERIAC_TEST_PG_USER", "postgres"),
                env("CELERIAC_TEST_PG_PASSWORD", "")));
    }

    /** Creates an empty database owned by the test user. */
    public PostgresEndpoint createDatabase(String name) {
        execute("CREATE DATABASE \"" + name + "\"");
        return admin.withDatabase(name);
    }

    /** Drops a database, closing any connection still open to it. */
    public void dropDatabase(String name) {
        execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
    }

    private void execute(String sql) {
        try (var connection = admin.connect();
                var statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "could not run '" + sql + "' on " + admin.jdbcUrl() + " as " + admin.username()
                            + "; without Docker the tests need the local PostgreSQL (see .ci/run)",
                    e);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
