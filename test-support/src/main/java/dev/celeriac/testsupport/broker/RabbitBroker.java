package dev.celeriac.testsupport.broker;

import dev.celeriac.testsupport.ServiceMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.rabbitmq.RabbitMQContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The RabbitMQ broker of this test JVM and what tests may do to it: make and remove virtual hosts, and (for fault
 * tests) stop and start the broker application. In {@link ServiceMode#DOCKER} it is one container, pinned to
 * {@value #IMAGE}; in {@link ServiceMode#LOCAL} it is the broker on 127.0.0.1:5672, administered with
 * {@code rabbitmqctl} (as root, or through {@code sudo -n}).
 */
public final class RabbitBroker {

    /** The image used when Docker is available. */
    public static final String IMAGE = "rabbitmq:4.1.4-management";

    private final RabbitEndpoint root;
    private final RabbitMQContainer container;

    private RabbitBroker(RabbitEndpoint root, RabbitMQContainer container) {
        this.root = root;
        this.container = container;
    }

    /** The broker of this test JVM, started on first use. */
    public static RabbitBroker get() {
        return Holder.INSTANCE;
    }

    /** Creates the instance on first use, once, as class initialisation guarantees. */
    private static final class Holder {
        static final RabbitBroker INSTANCE = start();
    }

    private static RabbitBroker start() {
        if (ServiceMode.current() == ServiceMode.DOCKER) {
            var container = new RabbitMQContainer(DockerImageName.parse(IMAGE));
            container.start();
            return new RabbitBroker(
                    new RabbitEndpoint(
                            container.getHost(),
                            container.getAmqpPort(),
                            container.getAdminUsername(),
                            container.getAdminPassword(),
                            "/"),
                    container);
        }
        String host = env("CELERIAC_TEST_RABBIT_HOST", "127.0.0.1");
        int port = Integer.parseInt(env("CELERIAC_TEST_RABBIT_PORT", "5672"));
        String user = env("CELERIAC_TEST_RABBIT_USER", "guest");
        String password = env("CELERIAC_TEST_RABBIT_PASSWORD", "guest");
        return new RabbitBroker(new RabbitEndpoint(host, port, user, password, "/"), null);
    }

    /** The default virtual host of the broker. */
    public RabbitEndpoint rootEndpoint() {
        return root;
    }

    /** Creates a virtual host and gives the test user every permission on it. */
    public RabbitEndpoint createVirtualHost(String name) {
        rabbitmqctl("add_vhost", name);
        rabbitmqctl("set_permissions", "-p", name, root.username(), ".*", ".*", ".*");
        return root.withVirtualHost(name);
    }

    /** Deletes a virtual host with everything in it. */
    public void deleteVirtualHost(String name) {
        rabbitmqctl("delete_vhost", name);
    }

    /** Stops the broker application (the node stays up), as a broker outage does to clients. */
    public void stopApp() {
        rabbitmqctl("stop_app");
    }

    /** Starts the broker application again and waits until it serves clients. */
    public void startApp() {
        rabbitmqctl("start_app");
        rabbitmqctl("await_startup");
    }

    /**
     * Starts importing RabbitMQ definitions (the {@code export_definitions} JSON format) into the broker. The broker
     * imports asynchronously: wait for what the test needs to appear.
     */
    public void importDefinitions(String json) {
        if (container != null) {
            String path = "/tmp/celeriac-definitions-" + System.nanoTime() + ".json";
            container.copyFileToContainer(Transferable.of(json), path);
            rabbitmqctl("import_definitions", path);
            return;
        }
        try {
            // rabbitmqctl may run as the broker's own user: the file (topology only, no secrets) must be readable.
            Path file = Files.createTempFile(
                    "celeriac-definitions-",
                    ".json",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
            try {
                Files.writeString(file, json);
                rabbitmqctl("import_definitions", file.toString());
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs {@code rabbitmqctl} with the given arguments against this broker.
     *
     * @return what it printed
     * @throws IllegalStateException if it fails
     */
    public String rabbitmqctl(String... arguments) {
        var command = new ArrayList<String>();
        command.add("rabbitmqctl");
        command.addAll(List.of(arguments));
        if (container != null) {
            try {
                var result = container.execInContainer(command.toArray(String[]::new));
                if (result.getExitCode() != 0) {
                    throw new IllegalStateException(String.join(" ", command) + " failed: " + result.getStderr());
                }
                return result.getStdout();
            } catch (IOException e) {
                throw new IllegalStateException(String.join(" ", command) + " failed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(String.join(" ", command) + " was interrupted", e);
            }
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            command.addAll(0, List.of("sudo", "-n"));
        }
        return run(command);
    }

    /** Runs a command, waiting up to 120 s, and returns what it printed; a non-zero exit is an exception. */
    static String run(List<String> command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 120 s");
            }
            String text = new String(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(
                        String.join(" ", command) + " exited with " + process.exitValue() + ": " + text.strip());
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException(
                    "could not run " + String.join(" ", command)
                            + "; without Docker the tests need the local RabbitMQ's rabbitmqctl (see .ci/run)",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(String.join(" ", command) + " was interrupted", e);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
