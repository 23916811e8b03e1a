package dev.celeriac.bench.scenario;

import dev.celeriac.bench.report.Figure;
import dev.celeriac.bench.report.Progress;
import dev.celeriac.bench.report.Results;
import dev.celeriac.bench.stack.ProcFs;
import dev.celeriac.bench.stack.Stack;
import dev.celeriac.producer.SubmitOptions;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The peer in the same run: a stock Celery 5 worker (prefork, 2 processes, {@code acks_late}) on the same no-op
 * workload as {@link Throughput}, from the same Java producer, against the same RabbitMQ, once without results and
 * once with the Redis result backend and {@code task_track_started}; reported beside Celeriac's figures of this run
 * as ratios. The Celery application is {@code bench/peers/celery/bench_tasks.py}.
 */
public final class CeleryPeer implements Scenario {

    /** The work queue of the peer: a Celeriac quorum queue that Celery declares with the same arguments. */
    static final String QUEUE = "peer";

    private static final String PYTHON =
            Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    private final int tasks;
    private final String redisUrl;

    public CeleryPeer(int tasks, String redisUrl) {
        this.tasks = tasks;
        this.redisUrl = redisUrl;
    }

    @Override
    public String name() {
        return "celery";
    }

    @Override
    public void run(Stack stack, Results results) throws Exception {
        String missing = missing();
        if (missing != null) {
            Progress.say("celery: skipped, %s", missing);
            results.setting("celery", "skipped: " + missing);
            return;
        }
        results.setting("celery", version() + ", prefork -c 2, acks_late, quorum queue");
        double plain = run(stack, false);
        double withResults = run(stack, true);
        String how = String.format(
                "%,d no-op tasks from the Java producer (batches of %,d) to a Celery worker, first publish to last"
                        + " finished task",
                tasks, Load.BATCH);
        results.add(Figure.of(name(), "tasks/s, no results", plain, "tasks/s").noting(how));
        results.add(Figure.of(name(), "tasks/s, Redis results, track_started", withResults, "tasks/s")
                .noting(how + "; result_backend " + redisUrl));
        double unrecorded = results.value("throughput", "tasks/s, task events off, no ledger");
        double recorded = results.value("throughput", "tasks/s, state recorded in the ledger");
        if (!Double.isNaN(unrecorded)) {
            results.add(Figure.of(name(), "Celeriac no ledger ÷ Celery no results", unrecorded / plain, "ratio"));
        }
        if (!Double.isNaN(recorded)) {
            results.add(
                    Figure.of(name(), "Celeriac recorded ÷ Celery with Redis results", recorded / withResults, "ratio")
                            .against("≥ 3", recorded / withResults >= 3));
        }
    }

    /** Why the peer cannot run here, or {@code null}. */
    static String missing() throws Exception {
        Process check = new ProcessBuilder(PYTHON, "-c", "import celery, redis")
                .redirectErrorStream(true)
                .start();
        String output = new String(check.getInputStream().readAllBytes());
        return check.waitFor() == 0
                ? null
                : "no Celery with Redis support for " + PYTHON + " (Debian: python3-celery python3-redis): "
                        + output.strip().lines().reduce((a, b) -> b).orElse("");
    }

    private static String version() throws Exception {
        Process check = new ProcessBuilder(
                        PYTHON, "-c", "import celery, kombu; print(celery.__version__, kombu.__version__)")
                .redirectErrorStream(true)
                .start();
        String[] versions =
                new String(check.getInputStream().readAllBytes()).strip().split(" ");
        check.waitFor();
        return "Celery " + versions[0] + " (kombu " + (versions.length > 1 ? versions[1] : "?") + ")";
    }

    private double run(Stack stack, boolean withResults) throws Exception {
        stack.reset();
        Path counts = Files.createTempDirectory("celeriac-bench-celery");
        String results = withResults ? redisUrl : "";
        if (withResults) {
            flush(redisUrl);
        }
        Stack.step(
                "celery: a Celery worker, prefork with 2 processes, " + (withResults ? "Redis results" : "no results"));
        // The producer declares Celeriac's topology with the peer's queue; Celery declares the same queue after it.
        try (var producer = stack.producer(false, "--celeriac.topology.queues." + QUEUE + ".kind=quorum")) {
            TaskClient client = producer.getBean(TaskClient.class);
            Load.submit(client, 1, i -> request());
            Process worker = start(stack, counts, results);
            try {
                awaitReady(counts);
                int warm = Throughput.warmUpOf(tasks);
                Load.submit(client, warm - 1, i -> request());
                Load.awaitCount(
                        "celery warm-up",
                        () -> finished(counts).count(),
                        warm,
                        Duration.ofMillis(100),
                        Duration.ofMinutes(2));
                Stack.step(String.format("celery: %,d no-op tasks", tasks));
                Instant started = Instant.now();
                Load.submit(client, tasks, i -> request());
                Load.awaitCount(
                        "celery",
                        () -> finished(counts).count(),
                        (long) warm + tasks,
                        Duration.ofMillis(100),
                        Duration.ofMinutes(20));
                Instant last = finished(counts).last();
                return tasks / (Duration.between(started, last).toNanos() / 1e9);
            } finally {
                stop(worker);
            }
        }
    }

    private static TaskRequest request() {
        return new TaskRequest(
                "bench.noop", List.of(), Map.of(), SubmitOptions.defaults().withQueue(QUEUE));
    }

    /**
     * What a Celery worker (prefork, 2 processes, as measured for throughput) takes to start: from its process start
     * to its {@code worker_ready} signal, and its memory 10 s later, summed over the main process and its pool
     * processes (resident, and proportional: pages the forked processes share counted once in all).
     *
     * @param readyMillis from process start to ready
     * @param residentMiB VmRSS summed
     * @param proportionalMiB Pss summed
     */
    record Footprint(double readyMillis, double residentMiB, double proportionalMiB) {}

    /** The footprint of an idle Celery worker on the stack's broker, or {@code null} where Celery is not installed. */
    static Footprint idleFootprint(Stack stack) throws Exception {
        if (missing() != null) {
            return null;
        }
        Path counts = Files.createTempDirectory("celeriac-bench-celery-idle");
        try (var producer = stack.producer(false, "--celeriac.topology.queues." + QUEUE + ".kind=quorum")) {
            long started = System.nanoTime();
            Process worker = start(stack, counts, "");
            try {
                awaitReady(counts);
                double ready = (System.nanoTime() - started) / 1e6;
                Thread.sleep(10_000);
                var processes = Stream.concat(Stream.of(worker.toHandle()), worker.descendants())
                        .toList();
                double rss = 0;
                double pss = 0;
                for (ProcessHandle process : processes) {
                    rss += ProcFs.kib(process.pid(), "status", "VmRSS:") / 1024.0;
                    pss += ProcFs.kib(process.pid(), "smaps_rollup", "Pss:") / 1024.0;
                }
                return new Footprint(ready, rss, pss);
            } finally {
                stop(worker);
            }
        }
    }

    /** Waits for the worker's {@code worker_ready} signal (the file it writes), checking every 5 ms. */
    private static void awaitReady(Path counts) throws InterruptedException {
        Load.awaitCount(
                "celery ready",
                () -> Files.exists(counts.resolve("ready")) ? 1 : 0,
                1,
                Duration.ofMillis(5),
                Duration.ofMinutes(1));
    }

    /** SIGTERM (Celery's warm shutdown), then a kill if it has not exited in 30 s. */
    private static void stop(Process worker) throws InterruptedException {
        worker.destroy();
        if (!worker.waitFor(30, TimeUnit.SECONDS)) {
            worker.destroyForcibly().waitFor();
        }
    }

    private static Process start(Stack stack, Path counts, String results) throws IOException {
        Files.createDirectories(stack.logs());
        var builder = new ProcessBuilder(
                        PYTHON,
                        "-m",
                        "celery",
                        "-A",
                        "bench_tasks",
                        "worker",
                        "-P",
                        "prefork",
                        "-c",
                        "2",
                        "-Q",
                        QUEUE,
                        "-n",
                        "peer@bench",
                        "-l",
                        "warning",
                        "--without-gossip",
                        "--without-mingle",
                        "--without-heartbeat")
                .directory(stack.root().resolve("bench/peers/celery").toFile())
                .redirectErrorStream(true)
                .redirectOutput(stack.logs().resolve("celery.log").toFile());
        builder.environment()
                .putAll(Map.of(
                        "CELERY_BENCH_BROKER",
                        "amqp://guest:guest@" + stack.rabbitHost() + ":5672/" + stack.vhost(),
                        "CELERY_BENCH_QUEUE",
                        QUEUE,
                        "CELERY_BENCH_RESULTS",
                        results,
                        "CELERY_BENCH_COUNTS",
                        counts.toString()));
        return builder.start();
    }

    private static void flush(String url) throws Exception {
        Process flush = new ProcessBuilder(
                        PYTHON, "-c", "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()", url)
                .redirectErrorStream(true)
                .start();
        String output = new String(flush.getInputStream().readAllBytes());
        if (flush.waitFor() != 0) {
            throw new IllegalStateException("could not empty the Redis database " + url + ": " + output.strip());
        }
    }

    /** What the pool processes reported: tasks finished, and when the last of them finished. */
    private record Finished(long count, Instant last) {}

    private static Finished finished(Path counts) {
        long count = 0;
        double last = 0;
        try (Stream<Path> files = Files.list(counts)) {
            for (Path file : files.filter(f -> f.getFileName().toString().matches("\\d+"))
                    .toList()) {
                String[] line;
                try {
                    line = Files.readString(file).strip().split(" ");
                } catch (IOException e) {
                    continue; // being replaced this instant
                }
                if (line.length == 2) {
                    count += Long.parseLong(line[0]);
                    last = Math.max(last, Double.parseDouble(line[1]));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Finished(count, Instant.ofEpochMilli((long) (last * 1000)));
    }
}
