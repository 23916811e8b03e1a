package dev.celeriac.bench.scenario;

import dev.celeriac.bench.report.Figure;
import dev.celeriac.bench.report.Results;
import dev.celeriac.bench.stack.JavaProcess;
import dev.celeriac.bench.stack.ProcFs;
import dev.celeriac.bench.stack.Stack;
import dev.celeriac.bench.stack.WorkerProbe;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * No-op tasks from the Java producer through a worker JVM, twice: with every state recorded in the ledger (the API
 * on PostgreSQL), timed from the first publish to the last SUCCESS in the ledger; and with task events off and no
 * ledger, timed to the worker's last finished run. Both are reported as ratios to the baseline.
 */
public final class Throughput implements Scenario {

    /**
     * The worker of this scenario: no-op tasks are all overhead, so a virtual pool with enough slots (and messages
     * held ahead) that the broker's round trips, not the slots, set the pace.
     */
    static final List<String> WORKER = List.of(
            "--celeriac.worker.queues.default.pool=virtual",
            "--celeriac.worker.queues.default.concurrency=256",
            "--celeriac.worker.queues.default.lookahead=256");

    private final int tasks;
    private final boolean profile;
    /** Where the worker's JFR profile goes, with {@code --profile}. */
    private final Path profiles;

    public Throughput(int tasks, boolean profile, Path profiles) {
        this.tasks = tasks;
        this.profile = profile;
        this.profiles = profiles;
    }

    @Override
    public String name() {
        return "throughput";
    }

    @Override
    public void run(Stack stack, Results results) throws Exception {
        Run recordedRun = recorded(stack);
        double recorded = recordedRun.tasksPerSecond();
        double embedded = recordedOnH2(stack);
        Run unrecordedRun = unrecorded(stack);
        double unrecorded = unrecordedRun.tasksPerSecond();
        double baseline = results.value("baseline", "raw RabbitMQ msg/s");
        results.setting("throughput worker", String.join(" ", WORKER));

        results.add(Figure.of(name(), "tasks/s, state recorded in the ledger", recorded, "tasks/s")
                .noting(String.format(
                        "%,d demo.noop, Java producer (batches of %,d) → worker JVM → events → API recorder →"
                                + " PostgreSQL; first publish to last SUCCESS in the ledger",
                        tasks, Load.BATCH)));
        results.add(Figure.of(name(), "tasks/s, state recorded in the embedded H2 ledger", embedded, "tasks/s")
                .noting("as above, the API on its default embedded H2 ledger (a file); the end is when the API's"
                        + " recorder had written every event (its own counter, read every 100 ms)"));
        results.add(Figure.of(name(), "H2 recorded / no ledger", embedded / unrecorded, "ratio"));
        results.add(Figure.of(name(), "tasks/s, task events off, no ledger", unrecorded, "tasks/s")
                .noting("celeriac.worker.task-events=false; first publish to the worker's last finished run"));
        results.add(Figure.of(name(), "recorded / no ledger", recorded / unrecorded, "ratio")
                .against("≥ 0.6", recorded / unrecorded >= 0.6));
        if (!Double.isNaN(baseline)) {
            results.add(Figure.of(name(), "recorded / baseline", recorded / baseline, "ratio"));
            results.add(Figure.of(name(), "no ledger / baseline", unrecorded / baseline, "ratio"));
        }
        results.add(Figure.of(name(), "cost of recording state", 1 - recorded / unrecorded, "share")
                .noting("1 − recorded / no ledger"));
        String window = "CPU time of the process from the first publish to the end of the run, per task";
        results.add(Figure.of(name(), "API CPU per task, recorded", recordedRun.apiCpuMs(), "ms")
                .noting(window + " (the event recorder)"));
        results.add(Figure.of(name(), "worker CPU per task, recorded", recordedRun.workerCpuMs(), "ms")
                .noting(window));
        results.add(Figure.of(name(), "worker CPU per task, no ledger", unrecordedRun.workerCpuMs(), "ms")
                .noting(window));
        results.add(Figure.of(name(), "producer CPU per task, recorded", recordedRun.producerCpuMs(), "ms")
                .noting(window + " (the harness's JVM: the Java producer, its task-sent events and the end's polls)"));
        results.add(Figure.of(name(), "producer CPU per task, no ledger", unrecordedRun.producerCpuMs(), "ms")
                .noting(window));
    }

    /**
     * A timed run: its rate, and the CPU per task of the API (none without a ledger), the worker and the harness's
     * own JVM, which holds the producer.
     */
    record Run(double tasksPerSecond, double apiCpuMs, double workerCpuMs, double producerCpuMs) {}

    /** CPU seconds of the processes of a run, read at its start and subtracted at its end. */
    private record CpuWindow(JavaProcess api, JavaProcess worker, double apiStart, double workerStart, double own) {

        static CpuWindow open(JavaProcess api, JavaProcess worker) {
            return new CpuWindow(api, worker, api == null ? 0 : api.cpuSeconds(), worker.cpuSeconds(), ownCpuSeconds());
        }

        Run close(int tasks, double tasksPerSecond) {
            double apiCpu = api == null ? 0 : api.cpuSeconds() - apiStart;
            return new Run(
                    tasksPerSecond,
                    apiCpu * 1000 / tasks,
                    (worker.cpuSeconds() - workerStart) * 1000 / tasks,
                    (ownCpuSeconds() - own) * 1000 / tasks);
        }

        private static double ownCpuSeconds() {
            return ProcFs.cpuSeconds(ProcessHandle.current().pid());
        }
    }

    private Run recorded(Stack stack) throws Exception {
        stack.reset();
        Stack.step("throughput: starting the API (ledger on PostgreSQL) and a worker");
        JavaProcess api = stack.api();
        return recordedRun(stack, api, tasks, profile ? profiles : null);
    }

    /**
     * A recorded run with the API on the embedded H2 ledger, in a file of its own. The harness cannot read that
     * database while the API holds it, so the end is read from the API's own count of the task events it recorded:
     * four a task (sent, received, started, succeeded).
     */
    private double recordedOnH2(Stack stack) throws Exception {
        stack.reset();
        Stack.step("throughput: starting the API on the embedded H2 ledger, and a worker");
        Path file = Files.createTempDirectory("celeriac-bench-h2").resolve("ledger");
        JavaProcess api = stack.apiWithLedger(
                "jdbc:h2:file:" + file + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
        try (JavaProcess worker = stack.worker("throughput-h2", List.of(), WORKER.toArray(String[]::new));
                var producer = stack.producer(true)) {
            TaskClient client = producer.getBean(TaskClient.class);
            warmUp(client, tasks);
            Load.awaitCount(
                    "throughput warm-up (H2)",
                    () -> recordedEvents(api) / 4,
                    warmUpOf(tasks),
                    Duration.ofMillis(100),
                    Duration.ofMinutes(2));
            Stack.step(String.format("throughput: %,d no-op tasks, state recorded in H2", tasks));
            long started = System.nanoTime();
            Load.submit(client, tasks, i -> TaskRequest.of("demo.noop"));
            long finished = Load.awaitCount(
                    "throughput (H2)",
                    () -> recordedEvents(api) / 4,
                    tasks + warmUpOf(tasks),
                    Duration.ofMillis(100),
                    Duration.ofMinutes(20));
            return tasks / ((finished - started) / 1e9);
        } finally {
            api.close();
        }
    }

    /** Task events the API's recorder has written, from its Prometheus endpoint. */
    private static long recordedEvents(JavaProcess api) {
        return api.get("/actuator/prometheus")
                .lines()
                .filter(line -> line.startsWith("celeriac_recorder_events_total{") && line.contains("kind=\"task\""))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    /**
     * A recorded run on an API that runs already: a worker is started, warmed up with 1,000 tasks, then timed over
     * {@code tasks} from the first publish to the ledger's own time of its last SUCCESS write.
     *
     * @param profiles where the worker records a JFR profile, or {@code null} for none
     */
    static Run recordedRun(Stack stack, JavaProcess api, int tasks, Path profiles) throws Exception {
        var options = new ArrayList<String>();
        if (profiles != null) {
            options.add("-XX:StartFlightRecording=filename=" + profiles.resolve("throughput-worker.jfr")
                    + ",settings=profile");
        }
        // Only tasks of this run are counted: the ledger may hold millions from before (the ledger scenario).
        Instant since = Instant.now().minusSeconds(1);
        try (JavaProcess worker = stack.worker("throughput", options, WORKER.toArray(String[]::new));
                var producer = stack.producer(true)) {
            TaskClient client = producer.getBean(TaskClient.class);
            warmUp(client, tasks);
            Load.awaitCount(
                    "throughput warm-up",
                    () -> successes(stack, since),
                    warmUpOf(tasks),
                    Duration.ofSeconds(1),
                    Duration.ofMinutes(2));
            Stack.step(String.format("throughput: %,d no-op tasks, state recorded", tasks));
            // Counting the ledger's rows costs PostgreSQL a scan, so it is read once a second only; the end is the
            // ledger's own time of its last SUCCESS write, not when the harness noticed it.
            var cpu = CpuWindow.open(api, worker);
            Instant started = Instant.now();
            Load.submit(client, tasks, i -> TaskRequest.of("demo.noop"));
            Load.awaitCount(
                    "throughput (recorded)",
                    () -> successes(stack, since),
                    tasks + warmUpOf(tasks),
                    Duration.ofSeconds(1),
                    Duration.ofMinutes(20));
            Instant finished = stack.ledgerLastWrite("SUCCESS", since);
            return cpu.close(tasks, tasks / (Duration.between(started, finished).toNanos() / 1e9));
        }
    }

    private Run unrecorded(Stack stack) throws Exception {
        stack.reset();
        Stack.step("throughput: a worker with task events off, no API");
        var worker = new ArrayList<>(WORKER);
        worker.add("--celeriac.worker.task-events=false");
        JavaProcess process = stack.worker("throughput-no-state", List.of(), worker.toArray(String[]::new));
        var probe = new WorkerProbe(process, "demo.noop", "success");
        try (var producer = stack.producer(false)) {
            TaskClient client = producer.getBean(TaskClient.class);
            warmUp(client, tasks);
            Load.awaitCount(
                    "throughput warm-up", probe::count, warmUpOf(tasks), Duration.ofMillis(100), Duration.ofMinutes(2));
            Stack.step(String.format("throughput: %,d no-op tasks, no ledger", tasks));
            var cpu = CpuWindow.open(null, process);
            long started = System.nanoTime();
            Load.submit(client, tasks, i -> TaskRequest.of("demo.noop"));
            long finished = Load.awaitCount(
                    "throughput (no ledger)",
                    probe::count,
                    tasks + warmUpOf(tasks),
                    Duration.ofMillis(100),
                    Duration.ofMinutes(20));
            return cpu.close(tasks, tasks / ((finished - started) / 1e9));
        }
    }

    /** Tasks first, so that neither JVM is timed while it compiles its hot paths. */
    private static void warmUp(TaskClient client, int tasks) {
        Load.submit(client, warmUpOf(tasks), i -> TaskRequest.of("demo.noop"));
    }

    /** Tasks run before a measurement: 1,000, or as many as are measured when fewer (a smoke run). */
    static int warmUpOf(int tasks) {
        return Math.min(1_000, tasks);
    }

    private static long successes(Stack stack, Instant since) {
        try {
            return stack.ledgerCount("SUCCESS", since);
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger could not be read", e);
        }
    }
}
