package dev.celeriac.bench.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

/**
 * The worker's and the API's {@link AotImage}s, made once for a build of their jars and shared by every JVM of the
 * harness that asks, parallel test forks included: the first to ask makes an image under {@code bench/target/images}
 * while holding a file lock, the others wait for it and reuse it, and a jar rebuilt since (another size or time)
 * gets a new image beside it. Started from its image, a component is ready in well under half its plain jar's time,
 * which a suite that starts a hundred of them on two cores feels.
 */
public final class SharedImages {

    /**
     * The flags the images are trained and run with: the serial collector the worker image ships with, and the
     * client compiler only. A suite's JVMs live for minutes on two shared cores, where the optimising compiler's
     * work never pays back; neither flag changes what the code does.
     */
    public static final List<String> FLAGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final Path root;
    private final Path logs;

    /**
     * @param root the repository, whose {@code worker/target} and {@code api/target} hold the jars
     * @param logs where the extraction and training runs log
     */
    public SharedImages(Path root, Path logs) {
        this.root = root;
        this.logs = logs;
    }

    /**
     * The demo worker's image, trained with {@link #FLAGS}.
     *
     * @throws UncheckedIOException if it cannot be made
     */
    public AotImage worker() throws InterruptedException {
        return image(root.resolve("worker/target/celeriac-worker.jar"), "worker");
    }

    /**
     * The API's image, trained with {@link #FLAGS} on its embedded ledger.
     *
     * @throws UncheckedIOException if it cannot be made
     */
    public AotImage api() throws InterruptedException {
        return image(root.resolve("api/target/celeriac-api.jar"), "api");
    }

    private AotImage image(Path bootJar, String name) throws InterruptedException {
        try {
            return made(bootJar, name);
        } catch (IOException e) {
            throw new UncheckedIOException("the image of " + bootJar + " could not be made", e);
        }
    }

    private AotImage made(Path bootJar, String name) throws IOException, InterruptedException {
        // One directory per build of the jar: an image in use is never replaced under a running JVM.
        String build =
                Files.size(bootJar) + "-" + Files.getLastModifiedTime(bootJar).toMillis();
        Path directory = root.resolve("bench/target/images").resolve(name + "-" + build);
        Files.createDirectories(directory.getParent());
        Path done = directory.resolveSibling(directory.getFileName() + ".done");
        try (var lock = FileChannel.open(
                        directory.resolveSibling(directory.getFileName() + ".lock"),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                var held = lock.lock()) {
            if (Files.exists(done)) {
                Path jar = directory.resolve(bootJar.getFileName());
                return new AotImage(
                        jar,
                        directory.resolve(bootJar.getFileName().toString().replace(".jar", ".aot")),
                        Duration.ZERO);
            }
            AotImage image = AotImage.prepare(bootJar, directory, logs.resolve("image-" + name), FLAGS);
            Files.createFile(done);
            return image;
        }
    }
}
