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
 * I/O-bound work on virtual threads: {@code demo.sleep(1000)} tasks on one worker JVM whose virtual pool has a slot
 * for each; wall time from the first publish to the last finished run.
 */
public final class Io implements Scenario {

    private final int tasks;

    public Io(int tasks) {
        this.tasks = tasks;
    }

    @Override
    public String name() {
        return "io";
    }

    @Override
    public void run(Stack stack, Results results) throws Exception {
        stack.reset();
        Stack.step(String.format("io: a worker with a virtual pool of %,d slots", tasks));
        stack.worker(
                "io",
                List.of(),
                "--celeriac.worker.queues.default.pool=virtual",
                "--celeriac.worker.queues.default.concurrency=" + tasks);
        try (var watch = new EventWatch(stack);
                var producer = stack.producer(false)) {
            TaskClient client = producer.getBean(TaskClient.class);
            Stack.step(String.format("io: %,d × demo.sleep(1000)", tasks));
            Instant started = Instant.now();
            long submitStarted = System.nanoTime();
            Load.submit(client, tasks, i -> TaskRequest.of("demo.sleep", 1000));
            long submitted = System.nanoTime() - submitStarted;
            Load.awaitCount("io", () -> watch.succeeded().size(), tasks, Duration.ofMillis(50), Duration.ofMinutes(5));
            double seconds = Duration.between(started, watch.lastSuccess()).toNanos() / 1e9;
            results.add(Figure.of(name(), String.format("%,d × sleep(1 s), wall time", tasks), seconds, "s")
                    .against("≤ 4 s", seconds <= 4)
                    .noting(String.format(
                            "one worker JVM, virtual pool of %,d slots; first publish to last finished run"
                                    + " (publishing took %.2f s)",
                            tasks, submitted / 1e9)));
        }
    }
}
