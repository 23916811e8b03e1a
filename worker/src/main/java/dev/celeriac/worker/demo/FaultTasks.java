package dev.celeriac.worker.demo;

import dev.celeriac.worker.CeleriacTask;
import dev.celeriac.worker.TaskContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * Tasks that misbehave on purpose, for fault-injection runs (the reliability suite): registered only when
 * {@code celeriac.demo.fault-tasks=true}, never in a demo worker started without it.
 */
@Component
@ConditionalOnProperty(name = "celeriac.demo.fault-tasks", havingValue = "true")
public class FaultTasks {

    /** Exit code of a JVM halted by {@link #halt}, as a SIGKILL would leave it. */
    static final int HALT_STATUS = 137;

    /** How often {@link #hold} looks for its gate. */
    private static final Duration GATE_POLL = Duration.ofMillis(50);

    /** The longest {@link #hold} waits for its gate before it fails, so a test that never opens it cannot hang. */
    private static final Duration GATE_LIMIT = Duration.ofMinutes(5);

    /**
     * Halts the worker's JVM at once, as a native crash or an OOM kill does: no shutdown hook runs, nothing is acked.
     * The quorum queue's delivery limit is what stops it from crashing worker after worker.
     */
    @CeleriacTask(name = "demo.halt")
    public void halt() {
        Runtime.getRuntime().halt(HALT_STATUS);
    }

    /**
     * Runs until the file {@code gate} exists, then returns {@code result}: a task that is surely still running while a
     * test does something to it or its workflow (a revoke, a kill), however slow the machine, and finishes when the
     * test opens the gate. An interrupt (a revoke with terminate, a soft time limit) ends it at once; a gate not
     * opened within five minutes fails it.
     */
    @CeleriacTask(name = "demo.hold")
    public long hold(String gate, long result) throws InterruptedException {
        awaitGate(gate);
        return result;
    }

    /**
     * Goes through {@code total} stages, each once the file {@code gate-<stage>} exists (stages counted from 1), and
     * reports its progress after each as {@code {"current": stage, "total": total}}: a task whose progress a test
     * moves on step by step. Returns {@code total}.
     */
    @CeleriacTask(name = "demo.stages")
    public int stages(String gate, int total, TaskContext context) throws InterruptedException {
        for (int stage = 1; stage <= total; stage++) {
            awaitGate(gate + "-" + stage);
            context.reportProgress(Map.of("current", stage, "total", total));
        }
        return total;
    }

    private static void awaitGate(String gate) throws InterruptedException {
        Path path = Path.of(gate);
        long deadline = System.nanoTime() + GATE_LIMIT.toNanos();
        while (!Files.exists(path)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("gate " + gate + " was not opened within " + GATE_LIMIT);
            }
            Thread.sleep(GATE_POLL);
        }
    }

    /**
     * Spins for {@code ms} ignoring interrupts, as a task stuck in a busy loop or in native code does: only its hard
     * time limit of 1 s ends the attempt (failed, not retried), and its thread runs on, abandoned, until the spin ends.
     */
    @CeleriacTask(name = "demo.spin", timeLimit = "1s", maxRetries = 0)
    public long spin(long ms) {
        long end = System.nanoTime() + ms * 1_000_000;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        return ms;
    }
}
