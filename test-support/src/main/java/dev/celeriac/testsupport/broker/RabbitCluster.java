package dev.celeriac.testsupport.broker;

import dev.celeriac.testsupport.logs.LogExcerpt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A RabbitMQ cluster of its own for one test class (or, with one node, a broker of its own that the test may stop
 * and alarm without touching anyone else's): {@code size} {@code rabbitmq-server} nodes on this machine, each
 * with its own node name, AMQP and distribution ports and data directory, joined with {@code rabbitmqctl
 * join_cluster}. The machine's own broker is left alone. Nodes may be stopped, killed and started again while the
 * cluster serves clients; {@link #close} stops them all and removes their data.
 *
 * <p>The nodes run as the {@code rabbitmq} user (it holds the Erlang cookie the command-line tools share): the test
 * JVM runs as root or may use {@code sudo -n}. A JVM that exits stops its nodes from a shutdown hook.
 */
public final class RabbitCluster implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    /**
     * One node of the cluster.
     *
     * @param name Erlang node name, e.g. {@code celeriac-1a2b3c-1@localhost}
     * @param port AMQP port on 127.0.0.1
     * @param distributionPort Erlang distribution port
     * @param directory where its configuration, data, logs and pid file are
     */
    public record Node(String name, int port, int distributionPort, Path directory) {

        /** The node's AMQP address, {@code 127.0.0.1:port}. */
        public String address() {
            return "127.0.0.1:" + port;
        }

        private Path pidFile() {
            return directory.resolve("pid");
        }
    }

    private final List<Node> nodes;
    private final Path directory;
    private final String username;
    private final String password;
    private final Thread stopOnExit = Thread.ofPlatform().unstarted(this::stopAllQuietly);

    private RabbitCluster(List<Node> nodes, Path directory) {
        this.nodes = List.copyOf(nodes);
        this.directory = directory;
        this.username = "guest";
        this.password = "guest";
    }

    /**
     * Starts {@code size} nodes, joins them into one cluster and waits until every node serves clients.
     *
     * @throws IllegalStateException if {@code rabbitmq-server} is not installed here or a node does not start
     */
    public static RabbitCluster start(int size) {
        String id = UUID.randomUUID().toString().substring(0, 6);
        Path directory;
        try {
            directory = Files.createTempDirectory("celeriac-cluster-" + id + "-");
            var nodes = new ArrayList<Node>();
            for (int i = 1; i <= size; i++) {
                Path home = directory.resolve("node-" + i);
                Files.createDirectories(home);
                var node = new Node("celeriac-" + id + "-" + i + "@localhost", freePort(), freePort(), home);
                // The system file pins the listener to 5672; each node listens on its own port, on loopback only.
                Files.writeString(
                        home.resolve("rabbitmq.conf"),
                        "listeners.tcp.local = 127.0.0.1:" + node.port() + "\nloopback_users = none\n");
                Files.writeString(home.resolve("enabled_plugins"), "[].\n");
                nodes.add(node);
            }
            // Every directory is the broker user's, who writes data and logs there.
            asRoot("chown", "-R", "rabbitmq:rabbitmq", directory.toString());
            var cluster = new RabbitCluster(nodes, directory);
            Runtime.getRuntime().addShutdownHook(cluster.stopOnExit);
            try {
                nodes.forEach(cluster::launch);
                nodes.forEach(cluster::awaitRunning);
                Node first = nodes.getFirst();
                for (Node node : nodes.subList(1, size)) {
                    cluster.ctl(node, "stop_app");
                    cluster.ctl(node, "join_cluster", first.name());
                    cluster.ctl(node, "start_app");
                    cluster.awaitRunning(node);
                }
            } catch (RuntimeException e) {
                cluster.close();
                throw e;
            }
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare the cluster's directories", e);
        }
    }

    /** The nodes, in the order they were started; the first is the one the others joined. */
    public List<Node> nodes() {
        return nodes;
    }

    /** Every node's AMQP address, comma-separated, as {@code spring.rabbitmq.addresses} takes them. */
    public String addresses() {
        return nodes.stream().map(Node::address).collect(Collectors.joining(","));
    }

    /** The user clients connect as. */
    public String username() {
        return username;
    }

    /** That user's password. */
    public String password() {
        return password;
    }

    /** Creates a virtual host on the cluster and gives the user every permission on it. */
    public void createVirtualHost(String name) {
        rabbitmqctl("add_vhost", name);
        rabbitmqctl("set_permissions", "-p", name, username, ".*", ".*", ".*");
    }

    /** Deletes a virtual host with everything in it, if it exists. */
    public void deleteVirtualHost(String name) {
        try {
            rabbitmqctl("delete_vhost", name);
        } catch (IllegalStateException e) {
            if (!e.getMessage().contains("does not exist")) {
                throw e;
            }
        }
    }

    /**
     * The node that leads a quorum queue now.
     *
     * @throws IllegalStateException if the queue does not exist or has no leader
     */
    public Node leaderOf(String virtualHost, String queue) {
        String leader = leaderName(virtualHost, queue);
        return nodes.stream()
                .filter(n -> n.name().equals(leader))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("queue " + queue + " has no leader: " + leader));
    }

    /** Every quorum queue of a virtual host with how many of its members are online. */
    public Map<String, Integer> onlineMembersOfQuorumQueues(String virtualHost) {
        var online = new TreeMap<String, Integer>();
        for (String line : rabbitmqctl("list_queues", "-p", virtualHost, "--no-table-headers", "name", "type", "online")
                .split("\n")) {
            String[] fields = line.split("\t");
            if (fields.length == 3 && fields[1].strip().equals("quorum")) {
                String members = fields[2].replace("[", "").replace("]", "").strip();
                online.put(fields[0].strip(), members.isEmpty() ? 0 : members.split(",").length);
            }
        }
        return online;
    }

    /** Every queue of a virtual host with the messages in it (ready and unacknowledged). */
    public Map<String, Long> messages(String virtualHost) {
        var messages = new TreeMap<String, Long>();
        for (String line : rabbitmqctl("list_queues", "-p", virtualHost, "--no-table-headers", "name", "messages")
                .split("\n")) {
            String[] fields = line.split("\t");
            if (fields.length == 2) {
                messages.put(fields[0].strip(), Long.parseLong(fields[1].strip()));
            }
        }
        return messages;
    }

    private String leaderName(String virtualHost, String queue) {
        for (String line : rabbitmqctl("list_queues", "-p", virtualHost, "--no-table-headers", "name", "leader")
                .split("\n")) {
            String[] fields = line.split("\t");
            if (fields.length == 2 && fields[0].strip().equals(queue)) {
                return fields[1].strip();
            }
        }
        throw new IllegalStateException("no queue " + queue + " in virtual host " + virtualHost);
    }

    /** Stops a node the way an operator does ({@code rabbitmqctl stop}): its clients are disconnected. */
    public void stop(Node node) {
        ctl(node, "stop");
    }

    /** Stops a node's RabbitMQ application (the Erlang node stays up), as a broker outage does to its clients. */
    public void stopApp(Node node) {
        ctl(node, "stop_app");
    }

    /** Starts a node's RabbitMQ application again and waits until it serves clients. */
    public void startApp(Node node) {
        ctl(node, "start_app");
        awaitRunning(node);
    }

    /** Kills a node's Erlang VM with SIGKILL, as a crash or a lost machine does. */
    public void kill(Node node) {
        try {
            String pid = Files.readString(node.pidFile()).strip();
            asRoot("kill", "-KILL", pid);
        } catch (IOException e) {
            throw new UncheckedIOException("no pid file for " + node.name(), e);
        }
        awaitGone(node);
    }

    /** Starts a stopped or killed node again from its data; it rejoins the cluster by itself. */
    public void start(Node node) {
        launch(node);
        awaitRunning(node);
    }

    /** Runs {@code rabbitmqctl} against the first node that answers. */
    public String rabbitmqctl(String... arguments) {
        IllegalStateException last = null;
        for (Node node : nodes) {
            try {
                return ctl(node, arguments);
            } catch (IllegalStateException e) {
                if (!unreachable(e)) {
                    throw e;
                }
                last = e;
            }
        }
        throw new IllegalStateException("no node of the cluster answers", last);
    }

    /** Runs {@code rabbitmqctl} against one node. */
    public String ctl(Node node, String... arguments) {
        var command = new ArrayList<>(List.of("rabbitmqctl", "-q", "-n", node.name()));
        command.addAll(Arrays.asList(arguments));
        return RabbitBroker.run(asRootCommand(command));
    }

    @Override
    public void close() {
        stopAllQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException e) {
            // The JVM is exiting: the hook runs anyway.
        }
        try {
            asRoot("rm", "-rf", directory.toString());
        } catch (IllegalStateException e) {
            // Left in the temporary directory; nothing depends on it.
        }
    }

    private void stopAllQuietly() {
        for (Node node : nodes) {
            try {
                ctl(node, "stop");
            } catch (IllegalStateException e) {
                // Already down.
            }
        }
    }

    private void launch(Node node) {
        var command = new ArrayList<>(List.of(
                "env",
                "RABBITMQ_NODENAME=" + node.name(),
                "RABBITMQ_CONFIG_FILE=" + node.directory().resolve("rabbitmq.conf"),
                "RABBITMQ_ENABLED_PLUGINS_FILE=" + node.directory().resolve("enabled_plugins"),
                "RABBITMQ_DIST_PORT=" + node.distributionPort(),
                "RABBITMQ_MNESIA_BASE=" + node.directory().resolve("mnesia"),
                "RABBITMQ_LOG_BASE=" + node.directory().resolve("log"),
                "RABBITMQ_PID_FILE=" + node.pidFile(),
                "rabbitmq-server",
                "-detached"));
        try {
            RabbitBroker.run(asRootCommand(command));
        } catch (IllegalStateException e) {
            throw new IllegalStateException(
                    "could not start RabbitMQ node " + node.name() + "; the cluster needs rabbitmq-server installed"
                            + " on this machine (see .ci/run)",
                    e);
        }
    }

    /** Waits until the node has booted and serves clients (await_startup fails at once while it is not yet up). */
    private void awaitRunning(Node node) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            try {
                ctl(node, "await_startup", "--timeout", "30");
                return;
            } catch (IllegalStateException e) {
                if (System.nanoTime() > deadline) {
                    // The directory goes with the cluster: what the node last logged goes in the error.
                    throw new IllegalStateException(
                            node.name() + " did not start in " + START_TIMEOUT.toSeconds() + " s; the end of its log:\n"
                                    + logTail(node.directory().resolve("log"), 40),
                            e);
                }
                pause();
            }
        }
    }

    private void awaitGone(Node node) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                ctl(node, "ping");
            } catch (IllegalStateException e) {
                return;
            }
            pause();
        }
        throw new IllegalStateException(node.name() + " still answers after it was killed");
    }

    private static boolean unreachable(IllegalStateException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("unable to perform an operation on node")
                || message.contains("nodedown")
                || message.contains("noconnection");
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a RabbitMQ node", e);
        }
    }

    private static void asRoot(String... command) {
        RabbitBroker.run(asRootCommand(new ArrayList<>(List.of(command))));
    }

    private static List<String> asRootCommand(List<String> command) {
        if (!"root".equals(System.getProperty("user.name"))) {
            command.addAll(0, List.of("sudo", "-n"));
        }
        return command;
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * Each node's last {@code lines} warnings and errors (the lines RabbitMQ logs as {@code [warning]} or
     * {@code [error]}), for a test that failed to say what the brokers saw.
     */
    public String warningsAndErrors(int lines) {
        var text = new StringBuilder();
        for (Node node : nodes()) {
            text.append("  ").append(node.name()).append(":\n");
            try (var files = Files.walk(node.directory().resolve("log"))) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    text.append(
                            LogExcerpt.of(file, line -> line.contains("[warning]") || line.contains("[error]"), lines)
                                    .indented("    "));
                }
            } catch (IOException | UncheckedIOException e) {
                text.append("    (could not read its log: ").append(e).append(")\n");
            }
        }
        return text.toString();
    }

    /** The last {@code lines} lines of each log file under {@code directory}. */
    private static String logTail(Path directory, int lines) {
        var tail = new StringBuilder();
        try (var files = Files.walk(directory)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                tail.append("--- ").append(file.getFileName()).append('\n');
                tail.append(LogExcerpt.of(file, LogExcerpt.EVERY_LINE, lines).indented(""));
            }
        } catch (IOException | UncheckedIOException e) {
            tail.append("(could not read ")
                    .append(directory)
                    .append(": ")
                    .append(e)
                    .append(")");
        }
        return tail.toString();
    }
}
