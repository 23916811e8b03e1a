package dev.celeriac.testsupport.database;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to reach one database of the test PostgreSQL server.
 *
 * @param host server host
 * @param port server port
 * @param database database name
 * @param username user name
 * @param password password, empty for trust authentication
 */
public record PostgresEndpoint(String host, int port, String database, String username, String password) {

    /** The JDBC URL of the database. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** Opens a JDBC connection to the database. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), username, password);
    }

    /** Spring Boot properties ({@code spring.datasource.*}) that point an application at this database. */
    public Map<String, String> springProperties() {
        var properties = new LinkedHashMap<String, String>();
        properties.put("spring.datasource.url", jdbcUrl());
        properties.put("spring.datasource.username", username);
        properties.put("spring.datasource.password", password);
        return properties;
    }

    /** The same server, another database. */
    public PostgresEndpoint withDatabase(String name) {
        return new PostgresEndpoint(host, port, name, username, password);
    }
}
