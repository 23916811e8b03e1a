package dev.celeriac.bench.scenario;

import dev.celeriac.bench.report.Figure;
import dev.celeriac.bench.report.Results;
import dev.celeriac.bench.stack.JavaProcess;
import dev.celeriac.bench.stack.Stack;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How late schedules fire under load: {@code schedules} schedules of {@code demo.noop}, each every second, on an API
 * with its ledger on PostgreSQL, while a producer submits {@code rate} other tasks a second to the same worker. The
 * lateness of a fire is the time from its slot to its task's record in the ledger (the transaction that claims the
 * slot); the first two seconds are left out as the warm-up.
 */
public final class Schedules implements Scenario {

    private static final Duration WARM_UP = Duration.ofSeconds(2);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final int schedules;
    private final int rate;
    private final Duration duration;

    public Schedules(int schedules, int rate, Duration duration) {
        this.schedules = schedules;
        this.rate = rate;
        this.duration = duration;
    }

    @Override
    public String name() {
        return "schedules";
    }

    @Override
    public void run(Stack stack, Results results) throws Exception {
        stack.reset();
        Stack.step("schedules: an API (ledger on PostgreSQL) and a worker");
        JavaProcess api = stack.api();
        stack.worker("schedules", List.of(), Throughput.WORKER.toArray(String[]::new));
        try (var producer = stack.producer(true)) {
            TaskClient client = producer.getBean(TaskClient.class);
            Stack.step(String.format(
                    "schedules: %d schedules every second for %d s, beside %,d tasks/s",
                    schedules, duration.toSeconds(), rate));
            Instant from = Instant.now().plus(WARM_UP);
            for (int i = 0; i < schedules; i++) {
                call(api, "POST", "/api/v1/schedules", """
                        {"id": "bench-%d", "every": 1, "task": "demo.noop", "missed": "run-each"}""".formatted(i));
            }
            var running = new AtomicBoolean(true);
            var submitted = new AtomicLong();
            Thread load = Thread.ofPlatform().name("bench-schedules-load").start(() -> {
                int perTick = Math.max(1, rate / 5);
                while (running.get()) {
                    var batch = new ArrayList<TaskRequest>(perTick);
                    for (int i = 0; i < perTick; i++) {
                        batch.add(TaskRequest.of("demo.noop"));
                    }
                    client.submitAll(batch);
                    submitted.addAndGet(perTick);
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            Thread.sleep(WARM_UP.plus(duration));
            Instant until = Instant.now();
            running.set(false);
            load.join();
            for (int i = 0; i < schedules; i++) {
                call(api, "POST", "/api/v1/schedules/bench-" + i + "/pause", "");
            }
            List<Long> lateness = lateness(stack, from, until);
            if (lateness.isEmpty()) {
                throw new IllegalStateException("no schedule fired");
            }
            double seconds = Duration.between(from, until).toMillis() / 1000.0;
            String how = String.format(
                    "%d schedules every 1 s beside %,.0f other tasks/s; slot to its task recorded in the ledger",
                    schedules, submitted.get() / (seconds + WARM_UP.toSeconds()));
            results.add(Figure.of(name(), "fire lateness p50", percentile(lateness, 0.50), "ms")
                    .noting(how));
            results.add(Figure.of(name(), "fire lateness p99", percentile(lateness, 0.99), "ms")
                    .noting(how));
            results.add(Figure.of(name(), "fire lateness max", lateness.getLast(), "ms")
                    .noting(how));
            results.add(Figure.of(name(), "fires", lateness.size() / seconds, "fires/s")
                    .noting(String.format("%,d fires over %.1f s", lateness.size(), seconds)));
        }
    }

    /** The lateness of every fire of a bench schedule whose slot is in the window, in milliseconds, sorted. */
    private static List<Long> lateness(Stack stack, Instant from, Instant until) throws Exception {
        var lateness = new ArrayList<Long>();
        try (var connection = stack.ledger();
                var statement = connection.prepareStatement("SELECT f.slot, t.submitted_at FROM schedule_fires f"
                        + " JOIN tasks t ON t.id = f.task_id WHERE f.schedule_id LIKE 'bench-%' AND f.slot >= ?"
                        + " AND f.slot < ?")) {
            statement.setTimestamp(1, Timestamp.from(from));
            statement.setTimestamp(2, Timestamp.from(until));
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    lateness.add(Duration.between(
                                    rows.getTimestamp(1).toInstant(),
                                    rows.getTimestamp(2).toInstant())
                            .toMillis());
                }
            }
        }
        lateness.sort(null);
        return lateness;
    }

    private static double percentile(List<Long> sorted, double p) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size())));
    }

    private static void call(JavaProcess api, String method, String path, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(api.base() + path))
                        .header("Authorization", "Bearer " + Stack.API_KEY)
                        .header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(
                    method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
    }
}
