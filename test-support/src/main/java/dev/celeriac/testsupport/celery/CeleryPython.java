package dev.celeriac.testsupport.celery;

import dev.celeriac.testsupport.broker.RabbitEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real Celery 5 installed on this machine (Debian's {@code python3-celery}, which {@code .ci/run}
 * installs) in a working directory that holds the Celery configuration module exactly as
 * {@code docs/celery-interop.md} documents it, pointed at a test's broker: the tests run what users are told to
 * use.
 */
public final class CeleryPython {

    /** The configuration module's name, as the documentation tells users to save it. */
    public static final String CONFIG_MODULE = "celeriacconfig";

    private static final String BEGIN = "<!-- celeriacconfig.py: begin -->";
    private static final String END = "<!-- celeriacconfig.py: end -->";
    private static volatile String interpreter;

    private final Path directory;
    private final RabbitEndpoint broker;

    private CeleryPython(Path directory, RabbitEndpoint broker) {
        this.directory = directory;
        this.broker = broker;
    }

    /**
     * Prepares a working directory with the documented configuration module and the given scripts (copied from the
     * calling module's sources).
     */
    public static CeleryPython in(Path directory, RabbitEndpoint broker, Path... scripts) {
        try {
            Files.writeString(directory.resolve(CONFIG_MODULE + ".py"), documentedConfiguration());
            for (Path script : scripts) {
                Files.copy(script, directory.resolve(script.getFileName()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new CeleryPython(directory, broker);
    }

    /** The {@code celeriacconfig.py} block of {@code docs/celery-interop.md}. */
    public static String documentedConfiguration() {
        Path doc = repositoryRoot().resolve("docs").resolve("celery-interop.md");
        String text;
        try {
            text = Files.readString(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalStateException(doc + " has no " + BEGIN + " … " + END + " block");
        }
        String block = text.substring(begin + BEGIN.length(), end).strip();
        if (!block.startsWith("```python") || !block.endsWith("```")) {
            throw new IllegalStateException("the configuration block of " + doc + " is not one python code block");
        }
        return block.substring("```python".length(), block.length() - 3).strip() + "\n";
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docs").resolve("celery-interop.md"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException(
                    "no docs/celery-interop.md above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /** The working directory. */
    public Path directory() {
        return directory;
    }

    /** The broker URL, as {@code CELERIAC_BROKER_URL} gives it to the configuration. */
    public String brokerUrl() {
        return broker.uri();
    }

    /**
     * Runs {@code python3 ARGS} (a script, or {@code -m celery …}) to its end and returns its standard output.
     *
     * @throws AssertionError if it fails or does not end in time, with its output
     */
    public String run(Duration timeout, String... arguments) {
        long id = System.nanoTime();
        Path out = directory.resolve("run-" + id + ".out");
        Path err = directory.resolve("run-" + id + ".err");
        Process process = launch(out, err, arguments);
        try {
            boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String output = Files.readString(out);
            if (!ended || process.exitValue() != 0) {
                throw new AssertionError("python3 " + String.join(" ", arguments)
                        + (ended ? " exited with " + process.exitValue() : " did not end within " + timeout)
                        + "\n--- stdout ---\n" + output + "\n--- stderr ---\n" + Files.readString(err));
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts a long-running Python process (a worker, {@code celery events}) with its standard output and error in
     * {@code log}, which the test reads as it grows.
     */
    public Process start(Path log, String... arguments) {
        return launch(log, log, arguments);
    }

    private Process launch(Path out, Path err, String... arguments) {
        var command = new ArrayList<String>(List.of(python(), "-u"));
        command.addAll(List.of(arguments));
        var builder = new ProcessBuilder(command).directory(directory.toFile());
        if (out.equals(err)) {
            builder.redirectErrorStream(true).redirectOutput(out.toFile());
        } else {
            builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        }
        builder.environment().put("CELERIAC_BROKER_URL", broker.uri());
        builder.environment().put("PYTHONPATH", directory.toString());
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops a process started here, gently (SIGTERM, as a supervisor would) and then for good. */
    public static void stop(Process process) {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A Python 3 with Celery: Debian's {@code /usr/bin/python3} first (a pyenv python may be first on the path). */
    public static String python() {
        String found = interpreter;
        if (found != null) {
            return found;
        }
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            try {
                Process probe = new ProcessBuilder(candidate, "-c", "import celery").start();
                if (probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0) {
                    interpreter = candidate;
                    return candidate;
                }
            } catch (IOException e) {
                // try the next interpreter
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("no python3 with Celery found; install Debian's python3-celery (.ci/run does)");
    }
}
