package dev.celeriac.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.bench.stack.JavaProcess;
import dev.celeriac.bench.stack.Stack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One trace across the API's JVM and a worker's, both exporting to an OTLP receiver as they would to a collector: a
 * REST submit carrying a caller's W3C {@code traceparent}, the API's publish, the worker's run that fails, the retry
 * the worker publishes, and the run that succeeds are spans of the caller's trace, each the child of the one before,
 * the trace context carried from process to process in the task message's headers.
 */
class TraceAcrossProcessesIntegrationTests {

    /** The caller's own trace and span, as a traced HTTP client would send them. */
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    private static final String CALLER_SPAN = "00f067aa0ba902b7";

    @TempDir
    static Path logs;

    @Test
    void aRestSubmitItsPublishTheRunsAndTheRetryBetweenThemAreSpansOfTheCallersTrace() throws Exception {
        try (var receiver = OtlpReceiver.start();
                var trial = Trial.start("tracing", logs)) {
            String[] tracing = {
                "--celeriac.tracing.enabled=true",
                "--management.tracing.sampling.probability=1.0",
                "--management.opentelemetry.tracing.export.otlp.endpoint=" + receiver.endpoint(),
                "--management.opentelemetry.tracing.export.schedule-delay=200ms"
            };
            JavaProcess api = trial.stack().api(tracing);
            trial.stack().worker("traced", List.of(), tracing);
            var rest = new Rest(api, Stack.API_KEY);

            var answer = rest.post(
                    "/api/v1/tasks",
                    Rest.task("demo.flaky", "[1]"),
                    Map.of("traceparent", "00-" + TRACE + "-" + CALLER_SPAN + "-01"));
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);

            // An HTTP span and a publish in the API; two runs and a retry's publish in the worker.
            List<OtlpReceiver.Span> spans = await().atMost(Duration.ofSeconds(60))
                    .until(() -> receiver.trace(TRACE), trace -> trace.size() >= 5);

            OtlpReceiver.Span http = only(spans, "celeriac-api", CALLER_SPAN);
            assertThat(http.kind()).isEqualTo("SPAN_KIND_SERVER");
            OtlpReceiver.Span publish = only(spans, "celeriac-api", http.spanId());
            assertThat(publish.name()).isEqualTo("publish demo.flaky");
            assertThat(publish.kind()).isEqualTo("SPAN_KIND_PRODUCER");
            OtlpReceiver.Span firstRun = only(spans, "celeriac-worker", publish.spanId());
            assertThat(firstRun.name()).isEqualTo("run demo.flaky");
            assertThat(firstRun.kind()).isEqualTo("SPAN_KIND_CONSUMER");
            OtlpReceiver.Span retry = only(spans, "celeriac-worker", firstRun.spanId());
            assertThat(retry.name()).isEqualTo("publish demo.flaky");
            OtlpReceiver.Span secondRun = only(spans, "celeriac-worker", retry.spanId());
            assertThat(secondRun.name()).isEqualTo("run demo.flaky");
        }
    }

    /** The one span of {@code service} whose parent is {@code parent}. */
    private static OtlpReceiver.Span only(List<OtlpReceiver.Span> spans, String service, String parent) {
        List<OtlpReceiver.Span> children = spans.stream()
                .filter(s -> s.service().equals(service) && s.parentSpanId().equals(parent))
                .toList();
        assertThat(children)
                .as("spans of %s under %s among %s", service, parent, spans)
                .hasSize(1);
        return children.getFirst();
    }
}
