package dev.celeriac.bench;

import dev.celeriac.bench.report.Progress;
import dev.celeriac.bench.report.Report;
import dev.celeriac.bench.report.Results;
import dev.celeriac.bench.scenario.Baseline;
import dev.celeriac.bench.scenario.CeleryPeer;
import dev.celeriac.bench.scenario.Cpu;
import dev.celeriac.bench.scenario.Idle;
import dev.celeriac.bench.scenario.Io;
import dev.celeriac.bench.scenario.Latency;
import dev.celeriac.bench.scenario.LedgerSize;
import dev.celeriac.bench.scenario.MapChunks;
import dev.celeriac.bench.scenario.Rest;
import dev.celeriac.bench.scenario.Scenario;
import dev.celeriac.bench.scenario.Schedules;
import dev.celeriac.bench.scenario.Search;
import dev.celeriac.bench.scenario.Throughput;
import dev.celeriac.bench.stack.SharedImages;
import dev.celeriac.bench.stack.Stack;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Runs the benchmark: {@code java -jar bench/target/celeriac-bench.jar [--scenarios=a,b] [--tasks=N] ...} (every
 * option in {@link Options}). Prints progress and a table, and writes JSON and HTML under {@code bench/results/}.
 */
public final class Bench {

    private Bench() {}

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("celeriac-bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        var results = new Results();
        results.setting("cores", Runtime.getRuntime().availableProcessors());
        results.setting("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        results.setting("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        results.setting("scenarios", String.join(",", options.scenarios()));
        Progress.say("Celeriac benchmark %s: %s", stamp, String.join(", ", options.scenarios()));
        Path logs = options.results().resolve("logs");
        try (var stack = new Stack(
                options.root(),
                options.rabbitHost(),
                options.vhost(),
                options.postgresUrl(),
                options.postgresUser(),
                logs)) {
            if (options.images()) {
                stack.startingFromImages(new SharedImages(options.root(), logs));
            }
            for (String name : options.scenarios()) {
                Scenario scenario = scenario(name, options);
                Progress.say("=== %s ===", scenario.name());
                scenario.run(stack, results);
            }
        }
        System.out.println();
        System.out.print(Report.table(results));
        Path html = Report.write(results, options.results(), stamp);
        Progress.say("results: %s and %s (process logs under %s)", html.resolveSibling(stamp + ".json"), html, logs);
    }

    private static Scenario scenario(String name, Options options) {
        return switch (name) {
            case "idle" -> new Idle();
            case "baseline" -> new Baseline(options.tasks());
            case "throughput" -> new Throughput(options.tasks(), options.profile(), options.results());
            case "celery" -> new CeleryPeer(options.celeryTasks(), options.redisUrl());
            case "latency" -> new Latency(options.rate(), options.duration(), options.warmup());
            case "ledger" -> new LedgerSize(options.tasks(), options.ledgerRows());
            case "rest" -> new Rest(options.restClients(), options.restDuration(), options.restWarmup());
            case "io" -> new Io(options.ioTasks());
            case "cpu" -> new Cpu(options.cpuTasks(), options.fib());
            case "map" -> new MapChunks(options.mapItems(), options.mapChunk());
            case "schedules" -> new Schedules(options.schedules(), options.rate(), options.duration());
            case "search" -> new Search(options.searchRows());
            default -> throw new IllegalArgumentException("unknown scenario " + name);
        };
    }
}
