package dev.celeriac.bench.scenario;

import dev.celeriac.bench.report.Results;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code wrk} (Debian's package) as the REST scenario's load: closed-loop keep-alive connections from a C program,
 * which takes far less of the machine than a JVM client would. A Lua script sets the request and prints, when the
 * run ends, the figures the report needs: requests, non-2xx answers, and latency percentiles in microseconds.
 */
final class Wrk {

    private Wrk() {}

    /** Whether {@code wrk} is on the PATH. */
    static boolean available() {
        try {
            Process process = new ProcessBuilder("wrk", "--version")
                    .redirectErrorStream(true)
                    .start();
            process.getInputStream().readAllBytes();
            process.waitFor();
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Posts {@code body} to {@code uri} from {@code connections} connections (two threads) for {@code length}. */
    static Rest.Measured run(URI uri, String key, String body, int connections, Duration length) throws Exception {
        Path script = Files.createTempFile("celeriac-bench-wrk", ".lua");
        try {
            Files.writeString(script, """
                    wrk.method = "POST"
                    wrk.body = '%s'
                    wrk.headers["Content-Type"] = "application/json"
                    wrk.headers["Authorization"] = "Bearer %s"
                    done = function(summary, latency, requests)
                      io.write(string.format("celeriac requests %%d\\n", summary.requests))
                      io.write(string.format("celeriac non2xx %%d\\n", summary.errors.status))
                      io.write(string.format("celeriac errors %%d\\n",
                        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
                      io.write(string.format("celeriac micros %%d\\n", summary.duration))
                      for _, p in ipairs({50, 90, 99, 99.9}) do
                        io.write(string.format("celeriac p%%g %%d\\n", p, latency:percentile(p)))
                      end
                      io.write(string.format("celeriac max %%d\\n", latency.max))
                    end
                    """.formatted(body, key));
            Process process = new ProcessBuilder(
                            "wrk",
                            "-t2",
                            "-c" + connections,
                            "-d" + Math.max(1, length.toSeconds()) + "s",
                            "--timeout",
                            "30s",
                            "-s",
                            script.toString(),
                            uri.toString())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) {
                throw new IllegalStateException("wrk failed: " + output);
            }
            Map<String, Long> figures = new HashMap<>();
            output.lines()
                    .filter(line -> line.startsWith("celeriac "))
                    .map(line -> line.split(" "))
                    .forEach(parts -> figures.put(parts[1], Long.parseLong(parts[2])));
            long requests = figures.get("requests");
            long refused = figures.get("non2xx") + figures.get("errors");
            double seconds = figures.get("micros") / 1e6;
            return new Rest.Measured(
                    (requests - refused) / seconds,
                    refused,
                    new Results.Latencies(
                            figures.get("p50"),
                            figures.get("p90"),
                            figures.get("p99"),
                            figures.get("p99.9"),
                            figures.get("max")),
                    "wrk");
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
