package dev.celeriac.bench.scenario;

import dev.celeriac.bench.report.Figure;
import dev.celeriac.bench.report.Results;
import dev.celeriac.bench.stack.JavaProcess;
import dev.celeriac.bench.stack.Stack;
import dev.celeriac.bench.stack.WorkerProbe;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import java.time.Duration;
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
        JavaProcess worker = stack.worker(
                "io",
                List.of(),
                "--celeriac.worker.queues.default.pool=virtual",
                "--celeriac.worker.queues.default.concurrency=" + tasks);
        var probe = new WorkerProbe(worker, "demo.sleep", "success");
        try (var producer = stack.producer(false)) {
            TaskClient client = producer.getBean(TaskClient.class);
            Stack.step(String.format("io: %,d × demo.sleep(1000)", tasks));
            long started = System.nanoTime();
            Load.submit(client, tasks, i -> TaskRequest.of("demo.sleep", 1000));
            long submitted = System.nanoTime();
            long finished = Load.awaitCount("io", probe::count, tasks, Duration.ofMillis(20), Duration.ofMinutes(5));
            double seconds = (finished - started) / 1e9;
            results.add(Figure.of(name(), String.format("%,d × sleep(1 s), wall time", tasks), seconds, "s")
                    .against("≤ 4 s", seconds <= 4)
                    .noting(String.format(
                            "one worker JVM, virtual pool of %,d slots; first publish to last finished run"
                                    + " (publishing took %.2f s)",
                            tasks, (submitted - started) / 1e9)));
        }
    }
}
