package dev.celeriac.bench.scenario;

import com.rabbitmq.client.GetResponse;
import dev.celeriac.bench.report.Figure;
import dev.celeriac.bench.report.Results;
import dev.celeriac.bench.stack.Stack;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Open-loop latency: first the broker's own ({@link BrokerLatency}), then no-op tasks submitted at the same fixed rate
 * whatever the answers' pace (each is timed from when it was due, so a stall is counted, not hidden), through a worker
 * JVM with the throughput scenario's pool: a worker acks a task only after its outcome event is confirmed, so a pool of
 * a couple of slots could not keep up with 1,000/s. Start and success times are the worker's own task-started and
 * task-succeeded events; the harness and the worker share the machine's clock.
 */
public final class Latency implements Scenario {

    /** Longest warm-up of the broker's own run: a plain client loop, warm in seconds. */
    private static final Duration BROKER_WARMUP = Duration.ofSeconds(10);

    private final int rate;
    private final Duration duration;
    private final Duration warmup;
    /** The Celeriac no-op message the broker's own runs publish, captured by the first. */
    private GetResponse template;

    public Latency(int rate, Duration duration, Duration warmup) {
        this.rate = rate;
        this.duration = duration;
        this.warmup = warmup;
    }

    @Override
    public String name() {
        return "latency";
    }

    /** A submitted task: when it was due, and when the broker confirmed it. */
    private record Sent(String id, Instant due, Instant confirmed) {}

    /**
     * Measures at the configured rate, and again at 15 % of the baseline's msg/s of this run, the rate the targets
     * name for a slow day (the machine's speed changes from day to day; the ratio to its own baseline does not).
     */
    @Override
    public void run(Stack stack, Results results) throws Exception {
        measure(stack, results, rate, "");
        double baseline = results.value("baseline", "raw RabbitMQ msg/s");
        if (!Double.isNaN(baseline)) {
            int relative = (int) Math.round(baseline * 0.15);
            measure(stack, results, relative, String.format(" at %,d/s (15 %% of baseline)", relative));
        }
    }

    private void measure(Stack stack, Results results, int rate, String label) throws Exception {
        stack.reset();
        Duration brokerWarmup = warmup.compareTo(BROKER_WARMUP) < 0 ? warmup : BROKER_WARMUP;
        Stack.step(String.format(
                "latency: the broker alone, %,d messages/s open loop, %s warm-up then %s measured",
                rate, brokerWarmup, duration));
        if (template == null) {
            template = Baseline.template(stack); // one message for both rates: capturing it starts a producer
        }
        var broker = BrokerLatency.measure(stack, template, rate, brokerWarmup, duration);
        String brokerHow = String.format(
                "%,d Celeriac no-op messages at %,d/s after %s warm-up, persistent, mandatory, confirmed, quorum queue,"
                        + " acked at once; timed from when each was due",
                broker.delivered().getTotalCount(), rate, brokerWarmup);
        report(results, "raw RabbitMQ publish → confirmed" + label, broker.confirmed(), brokerHow, false);
        report(results, "raw RabbitMQ publish → delivered" + label, broker.delivered(), brokerHow, false);

        Stack.step("latency: starting a worker (the throughput scenario's settings)");
        stack.worker("latency", List.of(), Throughput.WORKER.toArray(String[]::new));
        try (var watch = new EventWatch(stack);
                var producer = stack.producer(true)) {
            Map<String, Instant> started = watch.started();
            Map<String, Instant> succeeded = watch.succeeded();
            TaskClient client = producer.getBean(TaskClient.class);
            int warm = (int) (rate * warmup.toMillis() / 1000);
            int measured = (int) (rate * duration.toMillis() / 1000);
            Stack.step(String.format(
                    "latency: %,d tasks/s open loop, %s warm-up then %s measured", rate, warmup, duration));
            var sent = new ConcurrentLinkedQueue<Sent>();
            var failures = new AtomicLong();
            var firstFailure = new AtomicReference<String>();
            long interval = 1_000_000_000L / rate;
            Instant wallStart = Instant.now();
            long start = System.nanoTime();
            try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < warm + measured; i++) {
                    long dueNanos = start + i * interval;
                    long wait = dueNanos - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    boolean counted = i >= warm;
                    Instant due = wallStart.plusNanos(dueNanos - start);
                    executor.submit(() -> {
                        try {
                            var handle = client.submit(TaskRequest.of("demo.noop"));
                            if (counted) {
                                sent.add(new Sent(handle.id(), due, Instant.now()));
                            }
                        } catch (RuntimeException e) {
                            if (failures.incrementAndGet() == 1) {
                                firstFailure.set(e.toString());
                            }
                        }
                    });
                }
            }
            Load.awaitCount(
                    "latency",
                    () -> sent.stream()
                            .filter(s -> succeeded.containsKey(s.id()) && started.containsKey(s.id()))
                            .count(),
                    measured - failures.get(),
                    Duration.ofMillis(100),
                    Duration.ofMinutes(2));

            var confirm = histogram();
            var toStart = histogram();
            var toSuccess = histogram();
            for (Sent s : sent) {
                confirm.recordValue(micros(s.due(), s.confirmed()));
                toStart.recordValue(micros(s.due(), started.get(s.id())));
                toSuccess.recordValue(micros(s.due(), succeeded.get(s.id())));
            }
            String how = String.format(
                    "%,d tasks at %,d/s after %s warm-up; timed from when each was due", sent.size(), rate, warmup);
            report(results, "submit → confirmed" + label, confirm, how, false);
            report(results, "submit → start" + label, toStart, how, true);
            results.add(Figure.of(
                            name(),
                            "submit → start p99 ÷ raw RabbitMQ publish → delivered p99" + label,
                            toStart.getValueAtPercentile(99)
                                    / (double) Math.max(1, broker.delivered().getValueAtPercentile(99)),
                            "×")
                    .noting("the same rate, the same message, the same machine, one after the other"));
            report(results, "submit → SUCCESS" + label, toSuccess, how, false);
            var failed = Figure.of(name(), "failed submits" + label, failures.get(), "tasks");
            results.add(firstFailure.get() == null ? failed : failed.noting("first: " + firstFailure.get()));
        }
    }

    private void report(Results results, String what, Histogram h, String how, boolean startTargets) {
        double p50 = h.getValueAtPercentile(50) / 1000.0;
        double p90 = h.getValueAtPercentile(90) / 1000.0;
        double p99 = h.getValueAtPercentile(99) / 1000.0;
        double p999 = h.getValueAtPercentile(99.9) / 1000.0;
        var median = Figure.of(name(), what + " p50", p50, "ms").noting(how);
        var tail = Figure.of(name(), what + " p99", p99, "ms").noting(how);
        if (startTargets) {
            tail = tail.against("≤ 10 ms", p99 <= 10);
        }
        results.add(median);
        results.add(Figure.of(name(), what + " p90", p90, "ms").noting(how));
        results.add(tail);
        results.add(Figure.of(name(), what + " p99.9", p999, "ms").noting(how));
        results.percentiles(what, h);
    }

    static Histogram histogram() {
        return new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
    }

    private static long micros(Instant from, Instant to) {
        return Math.max(0, Duration.between(from, to).toNanos() / 1_000);
    }
}
