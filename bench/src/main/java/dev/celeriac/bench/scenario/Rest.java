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
 * PENDING in the ledger (PostgreSQL) and confirmed by the broker before its 202; a worker drains the queue meanwhile.
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

    @Override
    public void run(Stack stack, Results results) throws Exception {
        stack.reset();
        Stack.step("rest: starting a worker and the API (ledger on PostgreSQL)");
        stack.worker("rest", List.of(), Throughput.WORKER.toArray(String[]::new));
        JavaProcess api = stack.api();
        var http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
        var request = HttpRequest.newBuilder(URI.create(api.base() + "/api/v1/tasks"))
                .header("Authorization", "Bearer " + Stack.API_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"task\": \"demo.noop\"}"))
                .timeout(Duration.ofSeconds(30))
                .build();
        var measuring = new AtomicBoolean(false);
        var running = new AtomicBoolean(true);
        var accepted = new AtomicLong();
        var refused = new AtomicLong();
        var latencies = new Recorder(Duration.ofMinutes(1).toNanos() / 1_000, 3);
        Stack.step(
                String.format("rest: %d keep-alive clients, %s warm-up then %s measured", clients, warmup, duration));
        long measuredNanos;
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
                        if (measuring.get()) {
                            if (status == 202) {
                                accepted.incrementAndGet();
                                latencies.recordValue((System.nanoTime() - sent) / 1_000);
                            } else {
                                refused.incrementAndGet();
                            }
                        }
                    }
                    return null;
                });
            }
            Thread.sleep(warmup);
            latencies.reset();
            measuring.set(true);
            long started = System.nanoTime();
            Thread.sleep(duration);
            measuring.set(false);
            measuredNanos = System.nanoTime() - started;
            running.set(false);
        }
        var histogram = latencies.getIntervalHistogram();
        double perSecond = accepted.get() / (measuredNanos / 1e9);
        double p50 = histogram.getValueAtPercentile(50) / 1000.0;
        double p99 = histogram.getValueAtPercentile(99) / 1000.0;
        String how = String.format(
                "%d keep-alive HTTP/1.1 clients, closed loop, %s measured after %s warm-up", clients, duration, warmup);
        results.add(Figure.of(name(), "accepted submissions/s", perSecond, "tasks/s")
                .against("≥ 5,000/s", perSecond >= 5_000)
                .noting(how));
        results.add(Figure.of(name(), "latency p50", p50, "ms").noting(how));
        results.add(Figure.of(name(), "latency p90", histogram.getValueAtPercentile(90) / 1000.0, "ms")
                .noting(how));
        results.add(Figure.of(name(), "latency p99", p99, "ms")
                .against("≤ 20 ms", p99 <= 20)
                .noting(how));
        results.add(Figure.of(name(), "latency p99.9", histogram.getValueAtPercentile(99.9) / 1000.0, "ms")
                .noting(how));
        results.add(Figure.of(name(), "answers other than 202", refused.get(), "requests"));
        results.percentiles("POST /api/v1/tasks", histogram);
    }
}
