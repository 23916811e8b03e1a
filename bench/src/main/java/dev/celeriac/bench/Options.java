package dev.celeriac.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The harness's settings, from {@code --name=value} arguments.
 *
 * @param scenarios scenarios to run, in order
 * @param tasks no-op tasks of the baseline and throughput scenarios
 * @param rate tasks a second of the latency scenario
 * @param duration length of the latency scenario's measured part
 * @param warmup open-loop load before a latency or REST measurement, not counted
 * @param restClients concurrent keep-alive HTTP clients of the REST scenario
 * @param restDuration length of the REST scenario's measured part
 * @param restWarmup load before the REST scenario's measurement, long enough for the API's JIT compilers
 * @param ioTasks {@code demo.sleep(1000)} tasks of the I/O scenario
 * @param cpuTasks {@code demo.fib} tasks of each CPU run
 * @param fib argument of {@code demo.fib}
 * @param rabbitHost RabbitMQ host (AMQP on 5672, guest/guest)
 * @param vhost the vhost to run in; it is created fresh (and deleted after) with rabbitmqctl
 * @param postgresUrl PostgreSQL server for the ledger ({@code jdbc:postgresql://host:port/}); a database
 *     {@code celeriac_bench} is created fresh
 * @param postgresUser PostgreSQL user allowed to create databases
 * @param root the repository, where the worker and API jars are built
 * @param results where the JSON and HTML results go
 * @param profile whether the worker of the throughput scenario records a JFR profile
 * @param celeryTasks no-op tasks of each Celery run
 * @param redisUrl the Redis database of the Celery peer's results (emptied first)
 * @param ledgerRows finished tasks loaded into the ledger before the ledger scenario's recorded run
 * @param mapItems inputs of the map scenario
 * @param mapChunk inputs per message of the map scenario's chunked run
 * @param schedules schedules (each every second) of the schedules scenario
 * @param searchRows finished tasks loaded into the ledger before the search scenario's searches
 * @param images whether workers and APIs start from their shared AOT images with the client compiler only, as the
 *     reliability suite starts them (the smoke run's default): quicker to start, but not the figures of a recorded run
 */
record Options(
        List<String> scenarios,
        int tasks,
        int rate,
        Duration duration,
        Duration warmup,
        int restClients,
        Duration restDuration,
        Duration restWarmup,
        int ioTasks,
        int cpuTasks,
        int fib,
        String rabbitHost,
        String vhost,
        String postgresUrl,
        String postgresUser,
        Path root,
        Path results,
        boolean profile,
        int celeryTasks,
        String redisUrl,
        int ledgerRows,
        int mapItems,
        int mapChunk,
        int schedules,
        int searchRows,
        boolean images) {

    static final List<String> ALL = List.of(
            "idle",
            "baseline",
            "throughput",
            "celery",
            "latency",
            "rest",
            "ledger",
            "io",
            "cpu",
            "map",
            "schedules",
            "search");

    static Options parse(String[] args) {
        Map<String, String> given = new LinkedHashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("not an option: " + arg + " (options look like --tasks=50000)");
            }
            int equals = arg.indexOf('=');
            given.put(
                    equals < 0 ? arg.substring(2) : arg.substring(2, equals),
                    equals < 0 ? "true" : arg.substring(equals + 1));
        }
        boolean smoke = Boolean.parseBoolean(given.remove("smoke"));
        Path root = Path.of(given.getOrDefault("root", locateRoot())).toAbsolutePath();
        var options = new Options(
                List.of(given.getOrDefault("scenarios", String.join(",", ALL)).split(",")),
                integer(given, "tasks", smoke ? 500 : 50_000),
                integer(given, "rate", smoke ? 200 : 1_000),
                duration(given, "duration", smoke ? "3s" : "30s"),
                duration(given, "warmup", smoke ? "1s" : "60s"),
                integer(given, "rest-clients", smoke ? 4 : 32),
                duration(given, "rest-duration", smoke ? "3s" : "20s"),
                duration(given, "rest-warmup", smoke ? "1s" : "150s"),
                integer(given, "io-tasks", smoke ? 200 : 10_000),
                integer(given, "cpu-tasks", smoke ? 4 : 48),
                integer(given, "fib", smoke ? 25 : 35),
                given.getOrDefault("rabbit-host", "127.0.0.1"),
                given.getOrDefault("vhost", "celeriac-bench"),
                given.getOrDefault("postgres-url", "jdbc:postgresql://127.0.0.1:5432/"),
                given.getOrDefault("postgres-user", "postgres"),
                root,
                Path.of(given.getOrDefault(
                        "results", root.resolve("bench/results").toString())),
                Boolean.parseBoolean(given.getOrDefault("profile", "false")),
                integer(given, "celery-tasks", smoke ? 500 : 20_000),
                given.getOrDefault("redis-url", "redis://127.0.0.1:6379/15"),
                integer(given, "ledger-rows", smoke ? 10_000 : 5_000_000),
                integer(given, "map-items", smoke ? 2_000 : 100_000),
                integer(given, "map-chunk", 100),
                integer(given, "schedules", smoke ? 5 : 100),
                integer(given, "search-rows", smoke ? 20_000 : 1_000_000),
                Boolean.parseBoolean(given.getOrDefault("images", Boolean.toString(smoke))));
        for (String key : List.of(
                "scenarios",
                "tasks",
                "rate",
                "duration",
                "warmup",
                "rest-clients",
                "rest-duration",
                "rest-warmup",
                "io-tasks",
                "cpu-tasks",
                "fib",
                "rabbit-host",
                "vhost",
                "postgres-url",
                "postgres-user",
                "root",
                "results",
                "profile",
                "celery-tasks",
                "redis-url",
                "ledger-rows",
                "map-items",
                "map-chunk",
                "schedules",
                "search-rows",
                "images")) {
            given.remove(key);
        }
        if (!given.isEmpty()) {
            throw new IllegalArgumentException("unknown options: " + given.keySet());
        }
        for (String scenario : options.scenarios) {
            if (!ALL.contains(scenario)) {
                throw new IllegalArgumentException("unknown scenario " + scenario + "; choose from " + ALL);
            }
        }
        return options;
    }

    private static int integer(Map<String, String> given, String key, int fallback) {
        String value = given.get(key);
        try {
            int parsed = value == null
                    ? fallback
                    : Integer.parseInt(value.replace("_", "").replace(",", ""));
            if (parsed < 1) {
                throw new IllegalArgumentException("--" + key + " must be at least 1, not " + value);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a whole number, not " + value);
        }
    }

    private static Duration duration(Map<String, String> given, String key, String fallback) {
        String value = given.getOrDefault(key, fallback).strip();
        try {
            if (value.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
            }
            if (value.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
            }
            if (value.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
            }
        } catch (NumberFormatException e) {
            // Falls through to the error below.
        }
        throw new IllegalArgumentException("--" + key + " must be a duration such as 500ms, 30s or 2m, not " + value);
    }

    /** The repository: the working directory, or the one above bench/target where the jar lives. */
    private static String locateRoot() {
        Path here = Path.of("").toAbsolutePath();
        for (Path dir = here; dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("worker").resolve("pom.xml"))) {
                return dir.toString();
            }
        }
        return here.toString();
    }
}
