package dev.celeriac.bench.scenario;

import dev.celeriac.bench.report.Progress;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/** Submitting many tasks, and waiting until a count says they are done. */
final class Load {

    /** Tasks per {@code submitAll}: its confirms are awaited together. */
    static final int BATCH = 1_000;

    private Load() {}

    /** Submits {@code count} tasks made by {@code task}, in batches; returns when the broker confirmed them all. */
    static void submit(TaskClient client, int count, IntFunction<TaskRequest> task) {
        for (int start = 0; start < count; start += BATCH) {
            var batch = new ArrayList<TaskRequest>(Math.min(BATCH, count - start));
            for (int i = start; i < Math.min(count, start + BATCH); i++) {
                batch.add(task.apply(i));
            }
            client.submitAll(batch);
        }
    }

    /**
     * Waits until {@code done} reaches {@code count}, reading it every {@code every}; returns the nanoTime at which it
     * was first seen there.
     */
    static long awaitCount(String what, LongSupplier done, long count, Duration every, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastReport = System.nanoTime();
        while (true) {
            long seen = done.getAsLong();
            long now = System.nanoTime();
            if (seen >= count) {
                return now;
            }
            if (now > deadline) {
                throw new IllegalStateException(what + ": only " + seen + " of " + count + " done after " + timeout);
            }
            if (now - lastReport > Duration.ofSeconds(5).toNanos()) {
                Progress.say("%s: %,d of %,d done", what, seen, count);
                lastReport = now;
            }
            Thread.sleep(every);
        }
    }

    static List<String> args(String... arguments) {
        return List.of(arguments);
    }
}
