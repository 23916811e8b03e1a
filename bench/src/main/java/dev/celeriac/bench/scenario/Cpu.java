package dev.celeriac.bench.scenario;

import dev.celeriac.bench.report.Figure;
import dev.celeriac.bench.report.Results;
import dev.celeriac.bench.stack.Stack;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * CPU-bound work on platform threads: the same {@code demo.fib} tasks on a worker with one platform thread, then on
 * one with two; the speed-up is the ratio of their wall times.
 */
public final class Cpu implements Scenario {

    private final int tasks;
    private final int fib;

    public Cpu(int tasks, int fib) {
        this.tasks = tasks;
        this.fib = fib;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public void run(Stack stack, Results results) throws Exception {
        double one = wallSeconds(stack, 1);
        double two = wallSeconds(stack, 2);
        String how = String.format("%d × demo.fib(%d), after %d warm-up tasks on each worker", tasks, fib, tasks / 2);
        results.add(Figure.of(name(), "1 platform thread, wall time", one, "s").noting(how));
        results.add(Figure.of(name(), "2 platform threads, wall time", two, "s").noting(how));
        results.add(Figure.of(name(), "speed-up on 2 threads", one / two, "×")
                .against("≥ 1.8×", one / two >= 1.8)
                .noting(how));
    }

    private double wallSeconds(Stack stack, int threads) throws Exception {
        stack.reset();
        Stack.step(String.format("cpu: a worker with %d platform thread(s)", threads));
        stack.worker(
                "cpu-" + threads,
                List.of(),
                "--celeriac.worker.queues.default.pool=platform",
                "--celeriac.worker.queues.default.concurrency=" + threads);
        try (var watch = new EventWatch(stack);
                var producer = stack.producer(false)) {
            TaskClient client = producer.getBean(TaskClient.class);
            int warm = Math.max(1, tasks / 2);
            Load.submit(client, warm, i -> TaskRequest.of("demo.fib", fib));
            Load.awaitCount(
                    "cpu warm-up", () -> watch.succeeded().size(), warm, Duration.ofMillis(50), Duration.ofMinutes(10));
            Instant started = Instant.now();
            Load.submit(client, tasks, i -> TaskRequest.of("demo.fib", fib));
            Load.awaitCount(
                    "cpu", () -> watch.succeeded().size(), warm + tasks, Duration.ofMillis(50), Duration.ofMinutes(10));
            return Duration.between(started, watch.lastSuccess()).toNanos() / 1e9;
        }
    }
}
