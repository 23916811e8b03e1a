package dev.celeriac.bench.scenario;

import dev.celeriac.bench.report.Figure;
import dev.celeriac.bench.report.Progress;
import dev.celeriac.bench.report.Results;
import dev.celeriac.bench.stack.AotImage;
import dev.celeriac.bench.stack.JavaProcess;
import dev.celeriac.bench.stack.Stack;
import java.nio.file.Files;
import java.util.List;

/**
 * The footprint of an idle demo worker: time from JVM start to taking tasks, and resident memory once idle. Measured
 * for the plain Spring Boot jar with default JVM flags, and for the worker as its Docker image and
 * {@code ./celeriac worker} run it (extracted, with a JDK AOT cache trained at build time, {@link #SHIPPED} flags),
 * beside a Celery prefork worker started in the same run.
 */
public final class Idle implements Scenario {

    private static final double MIB = 1024 * 1024;

    /**
     * The JVM flags the worker starts with beside its AOT cache: the serial collector, as in the image (and as the JVM
     * itself picks in a container of under 2 CPUs or 1,792 MiB), the C library's heap trimmed every 5 s (what the
     * compilers freed after the start goes back to the system), and the heap sized as in a 512 MiB container. Other
     * flags were measured (docs/benchmarks.md, "Worker start"); none more pays for itself without costing throughput.
     */
    public static final List<String> SHIPPED =
            List.of("-XX:+UseSerialGC", "-XX:TrimNativeHeapInterval=5000", "-XX:MaxRAM=512m");

    @Override
    public String name() {
        return "idle";
    }

    @Override
    public void run(Stack stack, Results results) throws Exception {
        CeleryPeer.Footprint celery = celery(stack, results);

        stack.reset();
        Stack.step("idle: starting a worker JVM from its Spring Boot jar with default settings");
        JavaProcess plain = stack.plainWorker("idle-worker", List.of());
        report(results, "jar, default flags", plain, "java -jar celeriac-worker.jar", celery);

        stack.reset();
        Stack.step("idle: extracting the worker jar and training its AOT cache, as the image build does");
        AotImage image = AotImage.prepare(
                stack.workerJar(),
                Files.createTempDirectory("celeriac-bench-aot").resolve("worker"),
                stack.logs(),
                SHIPPED);
        results.setting(
                "idle", "AOT cache trained in %.1f s".formatted(image.trained().toMillis() / 1000.0));
        Stack.step("idle: starting the worker as shipped " + String.join(" ", SHIPPED));
        JavaProcess shipped = stack.worker("idle-worker-shipped", image, SHIPPED);
        report(
                results,
                "as shipped",
                shipped,
                "extracted jar, -XX:AOTCache, " + String.join(" ", SHIPPED) + " (Dockerfile, ./celeriac worker)",
                celery);
    }

    private void report(Results results, String variant, JavaProcess worker, String how, CeleryPeer.Footprint celery)
            throws InterruptedException {
        double ready = worker.readyAfter().toNanos() / 1e6;
        Thread.sleep(10_000);
        double rss = worker.residentBytes() / MIB;
        boolean asFastAsCelery = celery == null || ready <= celery.readyMillis();
        results.add(Figure.of(name(), "worker ready after JVM start, " + variant, ready, "ms")
                .against(
                        celery == null
                                ? "≤ 2,000 ms"
                                : "≤ 2,000 ms and ≤ Celery's %,.0f ms".formatted(celery.readyMillis()),
                        ready <= 2_000 && asFastAsCelery)
                .noting(how + "; from process start to the worker's 'is ready' log line: consumers running"));
        results.add(Figure.of(name(), "idle worker resident memory, " + variant, rss, "MiB")
                .against("≤ 128 MiB", rss <= 128)
                .noting(how + "; VmRSS 10 s after ready"));
    }

    private CeleryPeer.Footprint celery(Stack stack, Results results) throws Exception {
        stack.reset();
        Stack.step("idle: starting a Celery worker, prefork with 2 processes");
        CeleryPeer.Footprint celery = CeleryPeer.idleFootprint(stack);
        if (celery == null) {
            Progress.say("idle: no Celery to compare with: %s", CeleryPeer.missing());
            return null;
        }
        String how = "celery worker -P prefork -c 2 --without-gossip --without-mingle --without-heartbeat";
        results.add(Figure.of(name(), "Celery worker ready after start", celery.readyMillis(), "ms")
                .noting(how + "; from process start to its worker_ready signal"));
        results.add(Figure.of(name(), "idle Celery worker resident memory", celery.residentMiB(), "MiB")
                .noting(how + "; VmRSS of the main and both pool processes, summed, 10 s after ready (their"
                        + " proportional share, pages the forks share counted once: %.0f MiB)"
                                .formatted(celery.proportionalMiB())));
        return celery;
    }
}
