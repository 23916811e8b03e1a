package dev.celeriac.testsupport.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.ResultSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class IsolatedDatabaseIntegrationTests {

    @RegisterExtension
    static final IsolatedDatabase database = new IsolatedDatabase();

    @Test
    void givesTheTestClassAnEmptyDatabaseOfItsOwn(PostgresEndpoint endpoint) throws Exception {
        assertThat(endpoint.database()).startsWith("celeriac_test_isolateddatabaseintegrationtests_");
        try (var connection = endpoint.connect();
                var statement = connection.createStatement()) {
            ResultSet tables = statement.executeQuery(
                    "select count(*) from information_schema.tables where table_schema = 'public'");
            tables.next();
            assertThat(tables.getInt(1)).isZero();
            statement.execute("create table t (id int primary key)");
            statement.execute("insert into t values (1), (2), (3)");
            ResultSet count = statement.executeQuery("select count(*) from t");
            count.next();
            assertThat(count.getInt(1)).isEqualTo(3);
        }
    }

    @Test
    void dropsADatabaseEvenWithConnectionsOpen() throws Exception {
        PostgresServer server = PostgresServer.get();
        String name = "celeriac_test_drop_" + UUID.randomUUID().toString().substring(0, 8);
        PostgresEndpoint created = server.createDatabase(name);
        try (var open = created.connect()) {
            server.dropDatabase(name);
            assertThat(open.isValid(2)).isFalse();
        }
        try (var connection = database.endpoint().connect();
                var statement = connection.createStatement()) {
            ResultSet rows = statement.executeQuery("select count(*) from pg_database where datname = '" + name + "'");
            rows.next();
            assertThat(rows.getInt(1)).isZero();
        }
    }
}
