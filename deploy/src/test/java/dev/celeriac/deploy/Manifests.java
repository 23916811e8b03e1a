package dev.celeriac.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The objects of one kustomization as {@code kubectl kustomize} builds them, and the offline schema check of
 * {@code deploy/kubernetes/validate}. Both need their tools on this machine ({@code kubectl}, Node.js with npm);
 * {@code .ci/run} installs them.
 *
 * @param yaml the built manifests, as kubectl printed them
 * @param objects each object of it
 */
record Manifests(String yaml, List<Map<String, Object>> objects) {

    static final Path KUBERNETES = Path.of("kubernetes").toAbsolutePath();
    private static final Path VALIDATOR = KUBERNETES.resolve("validate");

    /** Builds a kustomization: {@code base} or {@code overlays/<name>}. */
    static Manifests build(String kustomization) {
        Command.Result built = Command.run(
                KUBERNETES,
                null,
                "kubectl",
                "kustomize",
                KUBERNETES.resolve(kustomization).toString());
        if (built.exit() != 0) {
            throw new IllegalStateException("kubectl kustomize " + kustomization + " failed: " + built.output());
        }
        return of(built.output());
    }

    /** The objects of YAML documents. */
    @SuppressWarnings("unchecked")
    static Manifests of(String yaml) {
        var objects = new ArrayList<Map<String, Object>>();
        for (Object document : new Yaml(new LoaderOptions()).loadAll(yaml)) {
            if (document != null) {
                objects.add((Map<String, Object>) document);
            }
        }
        return new Manifests(yaml, List.copyOf(objects));
    }

    /** Runs the schema check over these manifests: its exit code and what it printed. */
    Command.Result validate() {
        installValidator();
        return Command.run(
                VALIDATOR, yaml, "node", VALIDATOR.resolve("validate.mjs").toString());
    }

    /** The objects of a kind. */
    List<Map<String, Object>> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    /** The one object of a kind and name. */
    Map<String, Object> get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    Optional<Map<String, Object>> find(String kind, String name) {
        return ofKind(kind).stream()
                .filter(o -> name.equals(Paths.get(o, "metadata", "name")))
                .findFirst();
    }

    /** The validator's packages, installed from its lock file when they are missing. */
    private static synchronized void installValidator() {
        if (Files.isDirectory(VALIDATOR.resolve("node_modules"))) {
            return;
        }
        Command.Result installed = Command.run(VALIDATOR, null, "npm", "ci", "--no-audit", "--no-fund");
        if (installed.exit() != 0) {
            throw new IllegalStateException("npm ci in " + VALIDATOR + " failed: " + installed.output());
        }
    }

    /** A command run to its end, with what it printed (standard output and error together). */
    static final class Command {

        record Result(int exit, String output) {}

        private Command() {}

        static Result run(Path directory, String input, String... command) {
            try {
                Process process = new ProcessBuilder(command)
                        .directory(directory.toFile())
                        .redirectErrorStream(true)
                        .start();
                try (var stdin = process.getOutputStream()) {
                    if (input != null) {
                        stdin.write(input.getBytes(StandardCharsets.UTF_8));
                    }
                }
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(5, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish in 5 minutes");
                }
                return new Result(process.exitValue(), output);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "could not run " + command[0] + "; the manifest checks need kubectl and Node.js with npm"
                                + " (see .ci/run)",
                        e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(String.join(" ", command) + " was interrupted", e);
            }
        }
    }
}
