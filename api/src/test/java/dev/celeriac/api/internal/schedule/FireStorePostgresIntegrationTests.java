package dev.celeriac.api.internal.schedule;

import dev.celeriac.testsupport.database.PostgresEndpoint;
import dev.celeriac.testsupport.database.PostgresServer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The fire store on PostgreSQL (production), where several API instances fire and pause at once. */
class FireStorePostgresIntegrationTests extends FireStoreContract {

    private final List<String> databases = new ArrayList<>();

    @Override
    DataSource freshDatabase() {
        String name = "celeriac_test_fires_" + UUID.randomUUID().toString().substring(0, 8);
        PostgresEndpoint endpoint = PostgresServer.get().createDatabase(name);
        databases.add(name);
        return new DriverManagerDataSource(endpoint.jdbcUrl(), endpoint.username(), endpoint.password());
    }

    @Override
    int sessionsWaitingForALock(JdbcTemplate jdbc) {
        Integer waiting = jdbc.queryForObject(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
                Integer.class);
        return waiting == null ? 0 : waiting;
    }

    @AfterEach
    void dropDatabases() {
        databases.forEach(PostgresServer.get()::dropDatabase);
    }
}
