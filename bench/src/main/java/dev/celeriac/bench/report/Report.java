package dev.celeriac.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Writes a run's results: a table on stdout, JSON and an HTML page with SVG charts. */
public final class Report {

    private static final String[] PERCENTILE_NAMES = {"p50", "p90", "p99", "p99.9", "max"};

    private Report() {}

    /** A figure as people read it: thousands separated, at most three decimals for small values. */
    public static String number(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        var symbols = DecimalFormatSymbols.getInstance(Locale.ROOT);
        String pattern = Math.abs(value) >= 100 ? "#,##0" : Math.abs(value) >= 10 ? "#,##0.0" : "#,##0.###";
        return new DecimalFormat(pattern, symbols).format(value);
    }

    public static String table(Results results) {
        var out = new StringBuilder();
        String format = "%-11s %-44s %14s %-8s %-26s %s%n";
        out.append(String.format(format, "scenario", "figure", "value", "unit", "target", "met"));
        out.append("-".repeat(112)).append('\n');
        for (Figure f : results.figures()) {
            out.append(String.format(
                    format,
                    f.scenario(),
                    f.name(),
                    number(f.value()),
                    f.unit(),
                    f.target() == null ? "" : f.target(),
                    f.met() == null ? "" : f.met() ? "yes" : "NO"));
        }
        return out.toString();
    }

    /** Writes {@code <stamp>.json} and {@code <stamp>.html} under the directory; returns the HTML file. */
    public static Path write(Results results, Path directory, String stamp) throws IOException {
        Files.createDirectories(directory);
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("run", stamp);
        document.put("settings", results.settings());
        document.put("figures", results.figures());
        Map<String, Map<String, Long>> latencies = new LinkedHashMap<>();
        results.percentiles().forEach((name, values) -> {
            Map<String, Long> byName = new LinkedHashMap<>();
            for (int i = 0; i < values.length; i++) {
                byName.put(PERCENTILE_NAMES[i], values[i]);
            }
            latencies.put(name, byName);
        });
        document.put("latencyMicros", latencies);
        JsonMapper json =
                JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
        Files.writeString(directory.resolve(stamp + ".json"), json.writeValueAsString(document) + "\n");
        Path html = directory.resolve(stamp + ".html");
        Files.writeString(html, html(results, stamp));
        return html;
    }

    private static String html(Results results, String stamp) {
        var page = new StringBuilder();
        page.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Celeriac benchmark ")
                .append(stamp)
                .append("</title>\n<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}")
                .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}")
                .append("td.n{text-align:right}.no{color:#b00;font-weight:bold}.yes{color:#070}</style></head><body>\n")
                .append("<h1>Celeriac benchmark ")
                .append(stamp)
                .append("</h1>\n<p>Settings: ")
                .append(escape(results.settings().toString()))
                .append("</p>\n");

        page.append("<h2>Throughput</h2>\n");
        var bars = new LinkedHashMap<String, Double>();
        for (Figure f : results.figures()) {
            if (f.unit().equals("msg/s") || f.unit().equals("tasks/s")) {
                bars.put(f.scenario() + ": " + f.name(), f.value());
            }
        }
        page.append(barChart(bars, "per second"));

        if (!results.percentiles().isEmpty()) {
            page.append("<h2>Latency percentiles (ms)</h2>\n");
            for (var entry : results.percentiles().entrySet()) {
                var values = new LinkedHashMap<String, Double>();
                long[] micros = entry.getValue();
                for (int i = 0; i < micros.length; i++) {
                    values.put(PERCENTILE_NAMES[i], micros[i] / 1000.0);
                }
                page.append("<h3>").append(escape(entry.getKey())).append("</h3>\n");
                page.append(barChart(values, "ms"));
            }
        }

        page.append("<h2>Every figure</h2>\n<table><tr><th>scenario</th><th>figure</th><th>value</th><th>unit</th>")
                .append("<th>target</th><th>met</th><th>how</th></tr>\n");
        for (Figure f : results.figures()) {
            page.append("<tr><td>")
                    .append(escape(f.scenario()))
                    .append("</td><td>")
                    .append(escape(f.name()))
                    .append("</td><td class=\"n\">")
                    .append(number(f.value()))
                    .append("</td><td>")
                    .append(escape(f.unit()))
                    .append("</td><td>")
                    .append(f.target() == null ? "" : escape(f.target()))
                    .append("</td><td class=\"")
                    .append(f.met() == null ? "" : f.met() ? "yes" : "no")
                    .append("\">")
                    .append(f.met() == null ? "" : f.met() ? "yes" : "no")
                    .append("</td><td>")
                    .append(f.note() == null ? "" : escape(f.note()))
                    .append("</td></tr>\n");
        }
        page.append("</table>\n</body></html>\n");
        return page.toString();
    }

    /** Horizontal bars, one per entry, scaled to the largest. */
    static String barChart(Map<String, Double> values, String unit) {
        int rowHeight = 26;
        int labelWidth = 360;
        int barWidth = 440;
        double max = values.values().stream()
                .filter(v -> !v.isNaN())
                .mapToDouble(Double::doubleValue)
                .max()
                .orElse(1);
        var svg = new StringBuilder();
        svg.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-size=\"13\">%n",
                labelWidth + barWidth + 120,
                rowHeight * values.size() + 10));
        int row = 0;
        for (var entry : values.entrySet()) {
            double value = entry.getValue().isNaN() ? 0 : entry.getValue();
            int y = row * rowHeight + 5;
            int width = max <= 0 ? 0 : (int) Math.round(barWidth * value / max);
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"0\" y=\"%d\">%s</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#4a7\"/>"
                            + "<text x=\"%d\" y=\"%d\">%s %s</text>%n",
                    y + 16,
                    escape(entry.getKey()),
                    labelWidth,
                    y + 3,
                    Math.max(width, 1),
                    rowHeight - 8,
                    labelWidth + Math.max(width, 1) + 6,
                    y + 16,
                    number(entry.getValue()),
                    unit));
            row++;
        }
        return svg.append("</svg>\n").toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }

    /** The figures of one scenario. */
    public static List<Figure> of(Results results, String scenario) {
        return results.figures().stream()
                .filter(f -> f.scenario().equals(scenario))
                .toList();
    }
}
