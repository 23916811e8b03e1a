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
    }
}
