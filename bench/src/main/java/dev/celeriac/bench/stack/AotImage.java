package dev.celeriac.bench.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Spring Boot jar as the worker image and {@code ./celeriac worker} run it: extracted into a plain class path
 * ({@code java -Djarmode=tools -jar … extract}), with a JDK AOT cache of the classes its start loads and links, made
 * by a training run that exits once the application context is refreshed ({@code -XX:AOTCacheOutput},
 * {@code -Dspring.context.exit=onRefresh}: no broker is needed). The cache is only valid with the same JDK and
 * class path, which is why both are made here, by the JDK that runs the harness.
 *
 * @param jar the extracted application jar, run with {@code -jar}
 * @param cache the AOT cache, used with {@code -XX:AOTCache}
 * @param trained how long the extraction and the training run took
 */
public record AotImage(Path jar, Path cache, Duration trained) {

    /** The JVM options that run the image with its cache. */
    public List<String> options() {
        return List.of("-XX:AOTCache=" + cache, "-Xlog:aot=error,cds=error");
    }

    /**
     * Extracts {@code bootJar} into {@code directory} (emptied first) and trains its AOT cache with the JVM flags it
     * will run with ({@code jvmOptions}: the collector, say, which the cache must agree with).
     */
    public static AotImage prepare(Path bootJar, Path directory, Path logs, List<String> jvmOptions)
            throws IOException, InterruptedException {
        long started = System.nanoTime();
        deleteRecursively(directory);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        run(
                List.of(
                        java,
                        "-Djarmode=tools",
                        "-jar",
                        bootJar.toString(),
                        "extract",
                        "--destination",
                        directory.toString()),
                directory.getParent(),
                logs.resolve("aot-extract.log"));
        Path jar = directory.resolve(bootJar.getFileName());
        Path cache = directory.resolve(bootJar.getFileName().toString().replace(".jar", ".aot"));
        var training = new ArrayList<String>(List.of(java, "-XX:AOTCacheOutput=" + cache, "-Xlog:aot=error,cds=error"));
        training.addAll(jvmOptions);
        training.addAll(List.of(
                "-Dspring.context.exit=onRefresh",
                "-jar",
                jar.toString(),
                "--server.port=0",
                "--spring.main.banner-mode=off"));
        run(training, directory, logs.resolve("aot-training.log"));
        if (!Files.isRegularFile(cache)) {
            throw new IllegalStateException(
                    "the training run wrote no AOT cache; see " + logs.resolve("aot-training.log"));
        }
        return new AotImage(jar, cache, Duration.ofNanos(System.nanoTime() - started));
    }

    private static void run(List<String> command, Path directory, Path log) throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        Files.createDirectories(directory);
        Process process = new ProcessBuilder(new ArrayList<>(command))
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish in 5 minutes; see " + log);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(
                    String.join(" ", command) + " exited with " + process.exitValue() + "; see " + log);
        }
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (var paths = Files.walk(directory)) {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
