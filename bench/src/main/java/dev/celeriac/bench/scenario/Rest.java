package dev.celeriac.bench.scenario;

import dev.celeriac.bench.report.Figure;
import dev.celeriac.bench.report.Results;
import dev.celeriac.bench.stack.JavaProcess;
import dev.celeriac.bench.stack.Stack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * {@code POST /api/v1/tasks} under concurrent keep-alive clients, closed loop (each client sends its next request
 * when the last is answered): accepted submissions per second and their latency. Each one is validated, recorded
 * PENDING in the ledger (PostgreSQL) with its message in the outbox and confirmed by the broker before its 202; a
 * worker drains the queue meanwhile. The load comes from {@code wrk} where it is installed (a C client that leaves
 * the machine's two cores to the system measured), else from Java's HTTP client in the harness. The API is warmed up
 * first, long enough for its JIT compilers to finish with the hot path.
 */
public final class Rest implements Scenario {

    private final int clients;
    private final Duration duration;
    private final Duration warmup;

    public Rest(int clients, Duration duration, Duration warmup) {
        this.clients = clients;
        this.duration = duration;
        this.warmup = warmup;
    }

    @Override
    public String name() {
        return "rest";
    }

    /** What a load run measured. */
    record Measured(double perSecond, long refused, Results.Latencies latencies, String client) {}

    @Override
    public void run(Stack stack, Results results) throws Exception {
        stack.reset();
        Stack.step("rest: starting a worker and the API (ledger on PostgreSQL)");
        stack.worker("rest", List.of(), Throughput.WORKER.toArray(String[]::new));
        JavaProcess api = stack.api();
        URI uri = URI.create(api.base() + "/api/v1/tasks");
        boolean wrk = Wrk.available();
        Stack.step(String.format(
                "rest: %d keep-alive clients (%s), %s warm-up then %s measured",
                clients, wrk ? "wrk" : "Java HttpClient", warmup, duration));
        if (wrk) {
            Wrk.run(uri, Stack.API_KEY, BODY, clients, warmup);
        } else {
            java(uri, warmup);
        }
        double cpuBefore = api.cpuSeconds();
        double compilerBefore = api.compilerCpuSeconds();
        Measured measured = wrk ? Wrk.run(uri, Stack.API_KEY, BODY, clients, duration) : java(uri, duration);
        double cpu = api.cpuSeconds() - cpuBefore;
        double compiler = api.compilerCpuSeconds() - compilerBefore;
        var latencies = measured.latencies();
        double p99 = latencies.p99() / 1000.0;
        String how = String.format(
                "%d keep-alive HTTP/1.1 clients (%s), closed loop, %s measured after %s warm-up",
                clients, measured.client(), duration, warmup);
        results.add(Figure.of(name(), "accepted submissions/s", measured.perSecond(), "tasks/s")
                .against("≥ 2,500/s", measured.perSecond() >= 2_500)
                .noting(how));
        results.add(
                Figure.of(name(), "latency p50", latencies.p50() / 1000.0, "ms").noting(how));
        results.add(
                Figure.of(name(), "latency p90", latencies.p90() / 1000.0, "ms").noting(how));
        results.add(Figure.of(name(), "latency p99", p99, "ms")
                .against("≤ 25 ms", p99 <= 25)
                .noting(how));
        results.add(Figure.of(name(), "latency p99.9", latencies.p999() / 1000.0, "ms")
                .noting(how));
        results.add(Figure.of(name(), "answers other than 202", measured.refused(), "requests"));
        double submits = measured.perSecond() * duration.toNanos() / 1e9;
        results.add(Figure.of(name(), "API CPU per accepted submit", submits == 0 ? 0 : cpu * 1000 / submits, "ms")
                .noting("the API JVM's user and system CPU over the measured window (/proc), every thread, divided by"
                        + " the submits accepted in it; the cores it leaves are the broker's, the database's, the"
                        + " worker's and the load's"));
        results.add(Figure.of(name(), "API CPU in its JIT compilers", cpu == 0 ? 0 : 100 * compiler / cpu, "%")
                .noting("share of the API's CPU in the window spent by its C1 and C2 compiler threads: high, and"
                        + " the warm-up was too short for the figures above to be the API's steady state"));
        results.percentiles("POST /api/v1/tasks", latencies);
    }

    static final String BODY = "{\"task\": \"demo.noop\"}";

    private Measured java(URI uri, Duration length) throws Exception {
        var http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
        var request = HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + Stack.API_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY))
                .timeout(Duration.ofSeconds(30))
                .build();
        var running = new AtomicBoolean(true);
        var accepted = new AtomicLong();
        var refused = new AtomicLong();
        var latencies = new Recorder(Duration.ofMinutes(1).toNanos() / 1_000, 3);
        long started = System.nanoTime();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                executor.submit(() -> {
                    while (running.get()) {
                        long sent = System.nanoTime();
                        int status;
                        try {
                            status = http.send(request, HttpResponse.BodyHandlers.discarding())
                                    .statusCode();
                        } catch (Exception e) {
                            status = -1;
                        }
                        if (status == 202) {
                            accepted.incrementAndGet();
                            latencies.recordValue((System.nanoTime() - sent) / 1_000);
                        } else {
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
            Thread.sleep(length);
            running.set(false);
        }
        long measuredNanos = System.nanoTime() - started;
        return new Measured(
                accepted.get() / (measuredNanos / 1e9),
                refused.get(),
                Results.Latencies.of(latencies.getIntervalHistogram()),
                "Java HttpClient");
    }
}
