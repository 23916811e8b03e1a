package dev.celeriac.bench.stack;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.ConnectionFactory;
import dev.celeriac.bench.report.Progress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The services a scenario runs against: a fresh vhost on the local RabbitMQ, a fresh PostgreSQL database for the
 * ledger, and worker and API JVMs started from their jars. Everything started is stopped by {@link #reset} and
 * {@link #close}.
 */
public final class Stack implements AutoCloseable {

    /** The API key the harness gives the API it starts. */
    public static final String API_KEY = "celeriac-bench-admin-key";

    static final String DATABASE = "celeriac_bench";

    /** How long a started JVM may take to be ready: generous, for a machine busy with other scenarios. */
    private static final Duration READY_WITHIN = Duration.ofMinutes(3);

    private final String database;

    private final Path root;
    private final Broker broker;
    private final String vhost;
    private final String postgresUrl;
    private final String postgresUser;
    private final Path logs;
    private final List<AutoCloseable> running = new ArrayList<>();
    private int apis;
    private SharedImages images;

    public Stack(Path root, String rabbitHost, String vhost, String postgresUrl, String postgresUser, Path logs) {
        this(root, Broker.local(rabbitHost), vhost, postgresUrl, DATABASE, postgresUser, logs);
    }

    /**
     * The RabbitMQ a stack runs on: the nodes its clients connect to, and the nodes {@code rabbitmqctl} administers
     * it through (none: the machine's default node).
     *
     * @param addresses {@code host:port} of every node
     * @param nodes Erlang node names to run {@code rabbitmqctl -n} against, the first that answers
     */
    public record Broker(List<String> addresses, List<String> nodes) {

        public Broker {
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("a broker needs at least one address");
            }
            addresses = List.copyOf(addresses);
            nodes = List.copyOf(nodes);
        }

        /** The machine's broker on {@code host}, AMQP on 5672, administered through its default node. */
        public static Broker local(String host) {
            return new Broker(List.of(host + ":5672"), List.of());
        }

        /**
         * The Spring Boot argument that points a component at the broker: the host alone for the machine's broker, so
         * that a scenario may still move the port ({@code --spring.rabbitmq.port}, through a fault proxy, say), and
         * every address for a cluster.
         */
        String springArgument() {
            return nodes.isEmpty()
                            && addresses.size() == 1
                            && addresses.getFirst().endsWith(":5672")
                    ? "--spring.rabbitmq.host=" + firstHost()
                    : "--spring.rabbitmq.addresses=" + String.join(",", addresses);
        }

        /** The host of the first node. */
        String firstHost() {
            return addresses.getFirst().substring(0, addresses.getFirst().lastIndexOf(':'));
        }
    }

    /** A stack whose ledger is the database {@code database} (dropped and made again by {@link #reset}). */
    public Stack(
            Path root,
            Broker broker,
            String vhost,
            String postgresUrl,
            String database,
            String postgresUser,
            Path logs) {
        if (!database.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("not a plain database name: " + database);
        }
        this.database = database;
        this.root = root;
        this.broker = broker;
        this.vhost = vhost;
        this.postgresUrl = postgresUrl;
        this.postgresUser = postgresUser;
        this.logs = logs;
    }

    /** The repository, where the jars and the peers' files are. */
    public Path root() {
        return root;
    }

    /** Where the processes' logs go. */
    public Path logs() {
        return logs;
    }

    /** The RabbitMQ host (of its first node). */
    public String rabbitHost() {
        return broker.firstHost();
    }

    /** The RabbitMQ the stack runs on. */
    public Broker broker() {
        return broker;
    }

    /** The vhost the benchmark runs in. */
    public String vhost() {
        return vhost;
    }

    /** Stops what runs and starts from an empty vhost and database. */
    public void reset() throws Exception {
        closeRunning();
        rabbitmqctl(true, "delete_vhost", vhost);
        rabbitmqctl(false, "add_vhost", vhost);
        rabbitmqctl(false, "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");
        try (Connection connection = database("postgres");
                var statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            statement.execute("CREATE DATABASE " + database);
        }
    }

    /**
     * Starts workers and APIs from their shared AOT images from now on ({@link SharedImages}), as the images and
     * {@code ./celeriac worker} run them, with {@link SharedImages#FLAGS}, instead of from their plain jars: the same
     * code, ready in under half the time and for a fraction of the processor's time.
     */
    public Stack startingFromImages(SharedImages shared) {
        this.images = shared;
        return this;
    }

    /**
     * A worker JVM of the demo worker on this vhost, ready to take tasks: from its plain jar, or from its shared image
     * once {@link #startingFromImages} was called.
     */
    public JavaProcess worker(String name, List<String> jvmOptions, String... arguments) throws InterruptedException {
        if (images != null) {
            var options = new ArrayList<>(SharedImages.FLAGS);
            options.addAll(jvmOptions);
            return worker(name, images.worker(), options, arguments);
        }
        return worker(name, workerJar(), jvmOptions, arguments);
    }

    /** A worker JVM from the demo worker's plain Spring Boot jar with default flags, however the stack starts others. */
    public JavaProcess plainWorker(String name, List<String> jvmOptions, String... arguments)
            throws InterruptedException {
        return worker(name, workerJar(), jvmOptions, arguments);
    }

    /** A worker JVM of the demo worker as its image runs it (extracted, with its AOT cache), ready to take tasks. */
    public JavaProcess worker(String name, AotImage image, List<String> jvmOptions, String... arguments)
            throws InterruptedException {
        var options = new ArrayList<>(image.options());
        options.addAll(jvmOptions);
        return worker(name, image.jar(), options, arguments);
    }

    /** The demo worker's Spring Boot jar. */
    public Path workerJar() {
        return root.resolve("worker/target/celeriac-worker.jar");
    }

    private JavaProcess worker(String name, Path jar, List<String> jvmOptions, String... arguments)
            throws InterruptedException {
        var args = new ArrayList<>(rabbitArguments());
        args.add("--celeriac.worker.hostname=" + name + "@bench");
        args.addAll(List.of(arguments));
        JavaProcess process = track(JavaProcess.start(name, jar, jvmOptions, args, logs));
        return process.awaitReady("is ready", READY_WITHIN);
    }

    /** An API JVM with its ledger on PostgreSQL, ready for requests. */
    public JavaProcess api(String... arguments) throws InterruptedException {
        return apiWithLedger(ledgerUrl(), arguments);
    }

    /** The JDBC URL of the ledger's database. */
    public String ledgerUrl() {
        return postgresUrl + database;
    }

    /**
     * An API JVM whose ledger is at the given JDBC URL (the ledger's database behind a proxy, for instance). Its keys
     * are {@link #API_KEY} (admin) unless the arguments set {@code --celeriac.api.keys}.
     */
    public JavaProcess apiWithLedger(String jdbcUrl, String... arguments) throws InterruptedException {
        var args = new ArrayList<>(rabbitArguments());
        args.add("--spring.datasource.url=" + jdbcUrl);
        args.add("--spring.datasource.username=" + postgresUser);
        if (Arrays.stream(arguments).noneMatch(a -> a.startsWith("--celeriac.api.keys="))) {
            args.add("--celeriac.api.keys=" + API_KEY + ":admin");
        }
        args.addAll(List.of(arguments));
        // Each API of the stack logs to a file of its own: api.log, api-2.log, ...
        apis++;
        String name = apis == 1 ? "api" : "api-" + apis;
        Path jar = root.resolve("api/target/celeriac-api.jar");
        List<String> options = List.of();
        if (images != null) {
            AotImage image = images.api();
            jar = image.jar();
            options = new ArrayList<>(SharedImages.FLAGS);
            options.addAll(image.options());
        }
        JavaProcess process = track(JavaProcess.start(name, jar, options, args, logs));
        return process.awaitReady("Started CeleriacApiApplication", READY_WITHIN);
    }

    /**
     * A producer (the Java task client) in this JVM; {@code sentEvents} as {@code celeriac.producer.send-sent-events},
     * and any further {@code --name=value} arguments (a queue's topology, say).
     */
    public ConfigurableApplicationContext producer(boolean sentEvents, String... extra) {
        var arguments = new ArrayList<String>(List.of(extra));
        rabbitArguments().forEach(arguments::add);
        arguments.add("--celeriac.producer.send-sent-events=" + sentEvents);
        // Only a producer, even where the worker library is on the class path (the harness's own tests).
        arguments.add("--celeriac.worker.enabled=false");
        arguments.add("--spring.main.banner-mode=off");
        arguments.add("--logging.level.root=WARN");
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ProducerApplication.class)
                .web(WebApplicationType.NONE)
                .run(arguments.toArray(String[]::new));
        track(context::close);
        return context;
    }

    /** A connection factory of the plain RabbitMQ client on this vhost (for {@link #connect}'s settings). */
    public ConnectionFactory connections() {
        var factory = new ConnectionFactory();
        factory.setVirtualHost(vhost);
        // A connection that recovers (from a broker restart, a lost node) does so quickly, to any node.
        factory.setNetworkRecoveryInterval(500);
        return factory;
    }

    /** A connection of the plain RabbitMQ client to this vhost, on one of the broker's nodes. */
    public com.rabbitmq.client.Connection connect(String name) throws IOException, TimeoutException {
        return connections().newConnection(addresses(), name);
    }

    private List<Address> addresses() {
        return broker.addresses().stream().map(Address::parseAddress).toList();
    }

    /** Tasks in the ledger in the given state. */
    public long ledgerCount(String state) throws SQLException {
        return ledgerQuery("SELECT COUNT(*) FROM tasks WHERE state = ?", state, rows -> rows.getLong(1));
    }

    /** Tasks in the ledger by state, counting only the given ids. */
    public Map<String, Long> ledgerStates(Collection<String> ids) throws SQLException {
        var states = new TreeMap<String, Long>();
        try (Connection connection = ledger();
                var statement = connection.prepareStatement(
                        "SELECT state, COUNT(*) FROM tasks WHERE id = ANY (?) GROUP BY state")) {
            statement.setArray(1, connection.createArrayOf("varchar", ids.toArray()));
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    states.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        return states;
    }

    /**
     * Tasks in the ledger in the given state, of those first heard of since {@code since}: the index on the time a
     * task was accepted keeps the count cheap however many older tasks the ledger holds.
     */
    public long ledgerCount(String state, Instant since) throws SQLException {
        try (Connection connection = ledger();
                var statement = connection.prepareStatement(
                        "SELECT COUNT(*) FROM tasks WHERE submitted_at >= ? AND state = ?")) {
            statement.setTimestamp(1, Timestamp.from(since));
            statement.setString(2, state);
            try (var rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /** When the ledger last wrote a task in the given state, of those first heard of since {@code since}. */
    public Instant ledgerLastWrite(String state, Instant since) throws SQLException {
        try (Connection connection = ledger();
                var statement = connection.prepareStatement(
                        "SELECT MAX(updated_at) FROM tasks WHERE submitted_at >= ? AND state = ?")) {
            statement.setTimestamp(1, Timestamp.from(since));
            statement.setString(2, state);
            try (var rows = statement.executeQuery()) {
                rows.next();
                return rows.getTimestamp(1).toInstant();
            }
        }
    }

    /** When the ledger last wrote a task in the given state (its own {@code updated_at}). */
    public Instant ledgerLastWrite(String state) throws SQLException {
        return ledgerQuery(
                "SELECT MAX(updated_at) FROM tasks WHERE state = ?",
                state,
                rows -> rows.getTimestamp(1).toInstant());
    }

    private interface Column<T> {
        T read(ResultSet rows) throws SQLException;
    }

    /** One value from a one-row query of the ledger, with the state as its parameter. */
    private <T> T ledgerQuery(String sql, String state, Column<T> column) throws SQLException {
        try (Connection connection = ledger();
                var statement = connection.prepareStatement(sql)) {
            statement.setString(1, state);
            try (var rows = statement.executeQuery()) {
                rows.next();
                return column.read(rows);
            }
        }
    }

    /** A connection to the ledger's database (not through any proxy a scenario puts in front of it). */
    public Connection ledger() throws SQLException {
        return database(database);
    }

    private Connection database(String name) throws SQLException {
        return DriverManager.getConnection(postgresUrl + name, postgresUser, "");
    }

    private List<String> rabbitArguments() {
        return List.of(broker.springArgument(), "--spring.rabbitmq.virtual-host=" + vhost);
    }

    private <T extends AutoCloseable> T track(T resource) {
        running.add(resource);
        return resource;
    }

    private void closeRunning() throws Exception {
        for (AutoCloseable resource : running.reversed()) {
            resource.close();
        }
        running.clear();
    }

    @Override
    public void close() throws Exception {
        closeRunning();
        rabbitmqctl(true, "delete_vhost", vhost);
        try (Connection connection = database("postgres");
                var statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    /**
     * Runs {@code rabbitmqctl} against the broker: its default node, or each of its nodes in turn until one succeeds
     * (a node of a cluster may be down on purpose).
     */
    private void rabbitmqctl(boolean mayFail, String... arguments) throws InterruptedException {
        List<List<String>> targets = broker.nodes().isEmpty()
                ? List.of(List.of())
                : broker.nodes().stream().map(node -> List.of("-n", node)).toList();
        String failure = "";
        for (List<String> target : targets) {
            var command = new ArrayList<String>();
            if (!"root".equals(System.getProperty("user.name"))) {
                command.addAll(List.of("sudo", "-n"));
            }
            command.add("rabbitmqctl");
            command.add("-q");
            command.addAll(target);
            command.addAll(List.of(arguments));
            try {
                Process process =
                        new ProcessBuilder(command).redirectErrorStream(true).start();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (process.waitFor() == 0) {
                    return;
                }
                failure = String.join(" ", command) + " failed: " + output.strip();
            } catch (IOException e) {
                throw new UncheckedIOException("rabbitmqctl is needed to make the benchmark's vhost", e);
            }
        }
        if (!mayFail) {
            throw new IllegalStateException(failure);
        }
    }

    /** Announces a step. */
    public static void step(String what) {
        Progress.say("%s", what);
    }

    /** The producer's Spring Boot application: the Celeriac producer starter and nothing else. */
    @SpringBootApplication
    static class ProducerApplication {}
}
