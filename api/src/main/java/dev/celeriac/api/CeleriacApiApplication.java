package dev.celeriac.api;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;

/**
 * The Celeriac API: REST on port 8080, the task ledger in an embedded H2 file database under {@code ./data} unless
 * {@code spring.datasource.*} points elsewhere (PostgreSQL in production), and the event recorder that keeps it.
 */
// Callers authenticate with API keys only: Boot's default user, and the password it would log, must not exist.
@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
public class CeleriacApiApplication {

    public static void main(String[] args) {
        var application = new SpringApplication(CeleriacApiApplication.class);
        application.setDefaultProperties(Map.of(
                "spring.application.name", "celeriac-api",
                "spring.datasource.url",
                        "jdbc:h2:file:./data/celeriac;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH",
                "spring.datasource.username", "sa",
                "spring.datasource.password", ""));
        application.run(args);
    }
}
