package dev.celeriac.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.AbstractHistogram;

/** Everything a run measured, with the run's settings and the machine it ran on. */
public final class Results {

    private final List<Figure> figures = new ArrayList<>();
    private final Map<String, Object> settings = new TreeMap<>();
    private final Map<String, long[]> percentiles = new TreeMap<>();

    public synchronized void add(Figure figure) {
        figures.add(figure);
        Progress.say(
                "%s: %s = %s %s%s",
                figure.scenario(),
                figure.name(),
                Report.number(figure.value()),
                figure.unit(),
                figure.target() == null
                        ? ""
                        : "  (target " + figure.target() + ": " + (figure.met() ? "met" : "missed") + ")");
    }

    /** The value of a figure measured earlier in the run, or NaN. */
    public synchronized double value(String scenario, String name) {
        return figures.stream()
                .filter(f -> f.scenario().equals(scenario) && f.name().equals(name))
                .mapToDouble(Figure::value)
                .findFirst()
                .orElse(Double.NaN);
    }

    public synchronized void setting(String name, Object value) {
        settings.put(name, value);
    }

    /** A latency distribution (recorded in microseconds) for the chart: its p50, p90, p99, p99.9 and max. */
    public synchronized void percentiles(String name, AbstractHistogram micros) {
        percentiles(name, Latencies.of(micros));
    }

    /** A latency distribution measured elsewhere (by {@code wrk}, say), for the chart. */
    public synchronized void percentiles(String name, Latencies micros) {
        percentiles.put(name, new long[] {micros.p50(), micros.p90(), micros.p99(), micros.p999(), micros.max()});
    }

    /** The percentiles of a latency distribution, in microseconds. */
    public record Latencies(long p50, long p90, long p99, long p999, long max) {
        /** The percentiles of a histogram recorded in microseconds. */
        public static Latencies of(AbstractHistogram micros) {
            return new Latencies(
                    micros.getValueAtPercentile(50),
                    micros.getValueAtPercentile(90),
                    micros.getValueAtPercentile(99),
                    micros.getValueAtPercentile(99.9),
                    micros.getMaxValue());
        }
    }

    public synchronized List<Figure> figures() {
        return List.copyOf(figures);
    }

    public synchronized Map<String, Object> settings() {
        return Map.copyOf(settings);
    }

    public synchronized Map<String, long[]> percentiles() {
        return Map.copyOf(percentiles);
    }
}
