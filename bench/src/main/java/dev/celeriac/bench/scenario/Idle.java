package dev.celeriac.bench.scenario;

import dev.celeriac.bench.report.Figure;
import dev.celeriac.bench.report.Results;
import dev.celeriac.bench.stack.JavaProcess;
import dev.celeriac.bench.stack.Stack;
import java.util.List;

/** The footprint of an idle demo worker: time from JVM start to taking tasks, and resident memory once idle. */
public final class Idle implements Scenario {

    private static final double MIB = 1024 * 1024;

    @Override
    public String name() {
        return "idle";
    }

    @Override
    public void run(Stack stack, Results results) throws Exception {
        stack.reset();
        Stack.step("idle: starting a worker JVM with default settings");
        JavaProcess worker = stack.worker("idle-worker", List.of());
        double readyMillis = worker.readyAfter().toNanos() / 1e6;
        Thread.sleep(10_000);
        double rss = worker.residentBytes() / MIB;
        results.add(Figure.of(name(), "worker ready after JVM start", readyMillis, "ms")
                .against("≤ 2,000 ms", readyMillis <= 2_000)
                .noting("from process start to the worker's 'is ready' log line: consumers running"));
        results.add(Figure.of(name(), "idle worker resident memory", rss, "MiB")
                .against("≤ 128 MiB", rss <= 128)
                .noting("VmRSS 10 s after ready, default JVM flags (heap sized by the JVM)"));

        stack.reset();
        Stack.step("idle: starting a worker JVM with small-footprint flags " + String.join(" ", LEAN));
        JavaProcess lean = stack.worker("idle-worker-lean", LEAN);
        double leanReady = lean.readyAfter().toNanos() / 1e6;
        Thread.sleep(10_000);
        double leanRss = lean.residentBytes() / MIB;
        results.add(Figure.of(name(), "worker ready, small-footprint flags", leanReady, "ms")
                .against("≤ 2,000 ms", leanReady <= 2_000)
                .noting(String.join(" ", LEAN)));
        results.add(Figure.of(name(), "idle worker memory, small-footprint flags", leanRss, "MiB")
                .against("≤ 128 MiB", leanRss <= 128)
                .noting(String.join(" ", LEAN)));
    }

    /**
     * Flags for a small idle footprint: the serial collector, C1 only (quicker to start, slower at peak), smaller
     * thread stacks, and the heap sized as in a 512 MiB container.
     */
    static final List<String> LEAN =
            List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-XX:MaxRAM=512m");
}
