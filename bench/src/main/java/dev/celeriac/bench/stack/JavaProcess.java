package dev.celeriac.bench.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Celeriac JVM (worker or API) run from its jar, as users run it; output goes to a log file. */
public final class JavaProcess implements AutoCloseable {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The line a Spring Boot web server logs with the port it bound. */
    private static final Pattern PORT = Pattern.compile("(?:Tomcat|Netty|Jetty|Undertow) started on port (\\d+)");

    private final String name;
    private final Process process;
    private final Path log;
    private final long startedNanos;
    private volatile int port;
    private Duration ready;

    private JavaProcess(String name, Process process, Path log, long startedNanos) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.startedNanos = startedNanos;
    }

    /**
     * Starts the jar with its web server on a port it chooses itself ({@code server.port=0}), read back from its log:
     * a port picked free here could be taken by another process in between (two scenarios starting at once).
     */
    static JavaProcess start(String name, Path jar, List<String> jvmOptions, List<String> arguments, Path logs) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (./celeriac build)");
        }
        var command = new ArrayList<String>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(arguments);
        command.add("--server.port=0");
        try {
            Files.createDirectories(logs);
            Path log = logs.resolve(name + ".log");
            long started = System.nanoTime();
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            return new JavaProcess(name, process, log, started);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
    }

    /** Waits until the log shows {@code marker} (a worker's "is ready" line) and the health endpoint answers UP. */
    JavaProcess awaitReady(String marker, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            if (ready == null && logContains(marker)) {
                ready = Duration.ofNanos(System.nanoTime() - startedNanos);
            }
            if (port == 0) {
                port = boundPort();
            }
            if (ready != null && port != 0 && healthy()) {
                return this;
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException(name + " was not ready within " + timeout + "; see " + log);
    }

    /** From the process's start to its readiness line. */
    public Duration readyAfter() {
        return ready;
    }

    public String base() {
        if (port == 0) {
            throw new IllegalStateException(name + " has not bound its port yet");
        }
        return "http://127.0.0.1:" + port;
    }

    /** The port the log says the web server bound, or 0 before it says. */
    private int boundPort() {
        try {
            Matcher matcher = PORT.matcher(Files.readString(log));
            return matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    public long pid() {
        return process.pid();
    }

    /** How many lines of the process's log so far contain {@code text}. */
    public long logLines(String text) {
        try (var lines = Files.lines(log)) {
            return lines.filter(line -> line.contains(text)).count();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + log, e);
        }
    }

    /** Resident memory of the process now, in bytes (Linux). */
    public long residentBytes() {
        return ProcFs.kib(process.pid(), "status", "VmRSS:") * 1024;
    }

    /** CPU seconds the process has used so far (Linux). */
    public double cpuSeconds() {
        return ProcFs.cpuSeconds(process.pid());
    }

    /** CPU seconds its JIT compilers' threads have used so far (Linux). */
    public double compilerCpuSeconds() {
        return ProcFs.threadCpuSeconds(process.pid(), "C1 Compiler")
                + ProcFs.threadCpuSeconds(process.pid(), "C2 Compiler");
    }

    /** The body of a GET on this process. */
    public String get(String path) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create(base() + path))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private boolean healthy() {
        try {
            return get("/actuator/health").contains("\"UP\"");
        } catch (RuntimeException e) {
            return false;
        }
    }

    private boolean logContains(String marker) {
        try {
            return Files.readString(log).contains(marker);
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGKILL: the process dies at once, as on a crash or an OOM kill, with nothing handed back. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** SIGTERM, as a supervisor stops a process; returns the exit code once it has exited (a kill after a minute). */
    public int terminate() throws InterruptedException {
        close();
        return process.exitValue();
    }

    /** Whether the process still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM, then a kill if it does not stop within a minute. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
