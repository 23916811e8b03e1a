package dev.celeriac.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.bench.stack.JavaProcess;
import dev.celeriac.bench.stack.Stack;
import dev.celeriac.testsupport.broker.RabbitBroker;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 11 of the reliability suite: hostile and careless callers against a running API and worker. The whole
 * 401/403 matrix of endpoints and roles, oversize and deeply nested bodies, names that try to reach RabbitMQ's
 * reserved space, wildcards, headers or SQL, and secrets planted in the configuration that must never show in a
 * log, an error or a metric. Nothing may answer 500, and the API must still serve afterwards.
 */
class SecurityReliabilityTests {

    private static final String SALT = UUID.randomUUID().toString().substring(0, 8);
    private static final String ADMIN = "planted-admin-key-" + SALT;
    private static final String SUBMIT = "planted-submit-key-" + SALT;
    private static final String READ = "planted-read-key-" + SALT;
    private static final String RABBIT_USER = "celeriac-security-" + SALT;
    private static final String RABBIT_PASSWORD = "planted-rabbit-password-" + SALT;
    private static final String DATABASE_PASSWORD = "planted-database-password-" + SALT;
    private static final List<String> SECRETS = List.of(ADMIN, SUBMIT, READ, RABBIT_PASSWORD, DATABASE_PASSWORD);

    private enum Role {
        READ,
        SUBMIT,
        ADMIN
    }

    /** An endpoint, what it is called with, and the least role that may call it ({@code null}: anyone). */
    private record Endpoint(String method, String path, String body, Role least) {}

    @TempDir
    static Path logs;

    @Test
    void rolesHostileInputAndPlantedSecretsHoldUp() throws Exception {
        try (var trial = Trial.start("security", logs)) {
            Stack stack = trial.stack();
            RabbitBroker.get().rabbitmqctl("add_user", RABBIT_USER, RABBIT_PASSWORD);
            RabbitBroker.get()
                    .rabbitmqctl(
                            "set_permissions", "-p", "celeriac-reliability-security", RABBIT_USER, ".*", ".*", ".*");
            List<String> rabbit = List.of(
                    "--spring.rabbitmq.username=" + RABBIT_USER, "--spring.rabbitmq.password=" + RABBIT_PASSWORD);
            try {
                var apiArguments = new ArrayList<>(rabbit);
                apiArguments.add("--celeriac.api.keys=" + ADMIN + ":admin," + SUBMIT + ":submit," + READ + ":read");
                apiArguments.add("--spring.datasource.password=" + DATABASE_PASSWORD);
                JavaProcess api = stack.api(apiArguments.toArray(String[]::new));
                JavaProcess worker = stack.worker("w1", List.of(), rabbit.toArray(String[]::new));
                trial.watch();
                var admin = new Rest(api, ADMIN);
                HttpResponse<String> first = admin.post("/api/v1/tasks", Rest.task("demo.add", "[1,2]"));
                assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
                String task = Rest.json(first).get("id").asString();
                trial.accepted(task);

                var answers = new ArrayList<HttpResponse<String>>();
                int matrix = roleMatrix(trial, admin, task, answers);
                int hostile = hostileInput(trial, admin, answers);

                trial.awaitAllTerminal(Duration.ofMinutes(1));
                assertThat(admin.get("/api/v1/tasks/" + task).statusCode()).isEqualTo(200);
                var leaks = new ArrayList<String>();
                for (var answer : answers) {
                    secretsIn(
                            "answer " + answer.request().method() + " "
                                    + answer.request().uri(),
                            answer.body(),
                            leaks);
                    secretsIn(
                            "headers of " + answer.request().uri(),
                            answer.headers().toString(),
                            leaks);
                }
                secretsIn("API metrics", api.get("/actuator/prometheus"), leaks);
                secretsIn("worker metrics", worker.get("/actuator/prometheus"), leaks);
                secretsIn("API description", api.get("/v3/api-docs"), leaks);
                try (var files = Files.list(logs)) {
                    for (Path log : files.toList()) {
                        secretsIn(log.getFileName().toString(), Files.readString(log), leaks);
                    }
                }
                long serverErrors =
                        answers.stream().filter(a -> a.statusCode() >= 500).count();
                trial.report(
                        "security",
                        "role matrix %d checks, hostile requests %d, server errors %d, leaked secrets %d"
                                .formatted(matrix, hostile, serverErrors, leaks.size()));
                trial.assertNothingLost();
                assertThat(serverErrors).isZero();
                assertThat(leaks).isEmpty();
            } finally {
                RabbitBroker.get().rabbitmqctl("delete_user", RABBIT_USER);
            }
        }
    }

    /** Every endpoint with no key, a wrong key, and each role's key. */
    private static int roleMatrix(Trial trial, Rest admin, String task, List<HttpResponse<String>> answers) {
        String submitBody = Rest.task("demo.add", "[1,2]");
        var endpoints = List.of(
                new Endpoint("GET", "/api/v1/tasks/" + task, null, Role.READ),
                new Endpoint("GET", "/api/v1/tasks/" + task + "/history", null, Role.READ),
                new Endpoint("GET", "/api/v1/tasks?limit=5", null, Role.READ),
                new Endpoint("GET", "/api/v1/workflows/" + task, null, Role.READ),
                new Endpoint("GET", "/api/v1/dead-letters", null, Role.READ),
                new Endpoint("GET", "/api/v1/workers", null, Role.READ),
                new Endpoint("GET", "/api/v1/queues", null, Role.READ),
                new Endpoint("POST", "/api/v1/tasks", submitBody, Role.SUBMIT),
                new Endpoint("POST", "/api/v1/tasks/batch", "{\"tasks\":[" + submitBody + "]}", Role.SUBMIT),
                new Endpoint("DELETE", "/api/v1/tasks/" + UUID.randomUUID(), null, Role.ADMIN),
                new Endpoint("POST", "/api/v1/dead-letters/999999/replay", null, Role.ADMIN),
                new Endpoint("DELETE", "/api/v1/dead-letters/999999", null, Role.ADMIN),
                new Endpoint("PUT", "/api/v1/workers/rate-limits/demo.add", "{\"rateLimit\":\"0\"}", Role.ADMIN),
                new Endpoint("GET", "/actuator/health", null, null),
                new Endpoint("GET", "/actuator/prometheus", null, null),
                new Endpoint("GET", "/v3/api-docs", null, null));
        int checks = 0;
        for (Endpoint endpoint : endpoints) {
            for (String key : new String[] {null, "wrong-key-" + SALT, "Basic " + ADMIN}) {
                var response = (key != null && key.startsWith("Basic "))
                        ? admin.asRaw(key).call(endpoint.method(), endpoint.path(), endpoint.body())
                        : admin.as(key).call(endpoint.method(), endpoint.path(), endpoint.body());
                answers.add(response);
                checks++;
                if (endpoint.least() == null) {
                    assertThat(response.statusCode())
                            .as("%s %s without a key", endpoint.method(), endpoint.path())
                            .isEqualTo(200);
                } else {
                    assertThat(response.statusCode())
                            .as("%s %s with key %s", endpoint.method(), endpoint.path(), key)
                            .isEqualTo(401);
                    assertThat(response.headers().firstValue("WWW-Authenticate"))
                            .hasValue("Bearer");
                    assertThat(response.headers().firstValue("Content-Type"))
                            .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
                }
            }
            for (Role role : Role.values()) {
                String key = switch (role) {
                    case READ -> READ;
                    case SUBMIT -> SUBMIT;
                    case ADMIN -> ADMIN;
                };
                var response = admin.as(key).call(endpoint.method(), endpoint.path(), endpoint.body());
                answers.add(response);
                checks++;
                boolean allowed = endpoint.least() == null || role.compareTo(endpoint.least()) >= 0;
                var status = assertThat(response.statusCode())
                        .as("%s %s as %s: %s", endpoint.method(), endpoint.path(), role, response.body());
                if (allowed) {
                    status.isNotIn(401, 403).isLessThan(500);
                    acceptedIn(trial, endpoint, response);
                } else {
                    status.isEqualTo(403);
                }
            }
        }
        return checks;
    }

    private static void acceptedIn(Trial trial, Endpoint endpoint, HttpResponse<String> response) {
        if (response.statusCode() != 202 || !"POST".equals(endpoint.method())) {
            return;
        }
        var json = Rest.json(response);
        if (json.has("tasks")) {
            json.get("tasks").forEach(t -> trial.accepted(t.get("id").asString()));
        } else if (json.has("id")) {
            trial.accepted(json.get("id").asString());
        }
    }

    /** Oversize and deep bodies, injected names and ids: each refused with a 4xx problem, none reaching anything. */
    private static int hostileInput(Trial trial, Rest admin, List<HttpResponse<String>> answers) throws Exception {
        var expectations = new ArrayList<Object[]>();
        String big = "x".repeat(2 * 1024 * 1024);
        expectations.add(new Object[] {admin.post("/api/v1/tasks", Rest.task("demo.echo", "[\"" + big + "\"]")), 413});
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        expectations.add(new Object[] {admin.post("/api/v1/tasks", Rest.task("demo.add", deep)), 400});
        String deepObject = "{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000);
        expectations.add(
                new Object[] {admin.post("/api/v1/tasks", "{\"task\":\"demo.echo\",\"kwargs\":" + deepObject + "}"), 400
                });
        expectations.add(new Object[] {admin.post("/api/v1/tasks", "{\"task\": \"demo.add\", "), 400});
        var names = List.of(
                "amq.gen-task",
                "amq.direct",
                "*",
                "#",
                "demo.*",
                "demo.add\r\nX-Injected: 1",
                "demo.add'; DROP TABLE tasks; --",
                "",
                " ",
                "demo/../../etc/passwd",
                "x".repeat(300));
        for (String name : names) {
            String json = "{\"task\":" + Rest.JSON.writeValueAsString(name) + ",\"args\":[1,2]}";
            expectations.add(new Object[] {admin.post("/api/v1/tasks", json), name.isBlank() ? 400 : 422});
            String queued =
                    "{\"task\":\"demo.add\",\"args\":[1,2],\"queue\":" + Rest.JSON.writeValueAsString(name) + "}";
            expectations.add(new Object[] {admin.post("/api/v1/tasks", queued), name.isBlank() ? -1 : 422});
        }
        for (String id : List.of("' OR '1'='1", "1; DROP TABLE tasks", "../../actuator/env", "%00")) {
            String path = "/api/v1/tasks/"
                    + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
            expectations.add(new Object[] {admin.get(path), -3});
            expectations.add(new Object[] {admin.delete(path), -3});
        }
        expectations.add(new Object[] {
            admin.get("/api/v1/tasks?state=" + URLEncoder.encode("SUCCESS' OR '1'='1", StandardCharsets.UTF_8)), 400
        });
        expectations.add(new Object[] {admin.get("/api/v1/tasks?limit=100000000"), 400});
        expectations.add(new Object[] {
            admin.get("/api/v1/tasks?cursor=" + URLEncoder.encode("'; DROP TABLE tasks;--", StandardCharsets.UTF_8)),
            400
        });
        expectations.add(new Object[] {admin.get("/actuator/env"), -2});
        for (Object[] expectation : expectations) {
            @SuppressWarnings("unchecked")
            var response = (HttpResponse<String>) expectation[0];
            int expected = (int) expectation[1];
            answers.add(response);
            String what = "%s %s: %s"
                    .formatted(response.request().method(), response.request().uri(), abbreviated(response.body()));
            var status = assertThat(response.statusCode()).as(what);
            if (expected == -1) {
                status.isBetween(200, 499); // a blank queue means the default queue
                acceptedIn(trial, new Endpoint("POST", "", null, Role.SUBMIT), response);
            } else if (expected == -2) {
                status.isIn(403, 404); // never exposed
            } else if (expected == -3) {
                status.isIn(400, 404); // the firewall refuses some ids outright; the others are no task
                assertThat(response.headers().firstValue("Content-Type"))
                        .as(what)
                        .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
            } else {
                status.isEqualTo(expected);
                assertThat(response.headers().firstValue("Content-Type"))
                        .as(what)
                        .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
            }
            assertThat(response.headers().map()).doesNotContainKey("x-injected");
        }
        // The ledger and the broker are as they were: the table is there, and no queue got a hostile name.
        assertThat(trial.states()).isNotEmpty();
        return expectations.size();
    }

    private static String abbreviated(String body) {
        return body.length() > 300 ? body.substring(0, 300) + "…" : body;
    }

    private static void secretsIn(String where, String text, List<String> leaks) throws IOException {
        for (String secret : SECRETS) {
            if (text.contains(secret)) {
                leaks.add(where + " shows " + secret.substring(0, secret.indexOf('-', 8)) + "…");
            }
        }
    }
}
