package dev.celeriac.bench.scenario;

import dev.celeriac.bench.report.Figure;
import dev.celeriac.bench.report.Results;
import dev.celeriac.bench.stack.Stack;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.Workflow;
import dev.celeriac.producer.WorkflowResults;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import tools.jackson.databind.JsonNode;

/**
 * One task over many inputs, end to end: {@code demo.add(i, i)} for {@code items} inputs, sent as a map in chunks of
 * {@code chunk} inputs per message ({@code Workflow.chunks}) and as one message per input ({@code Workflow.starmap}),
 * each timed from the first publish until every result has arrived back at the client ({@code submitForResults}) and
 * checked to add up. One worker JVM with the throughput scenario's pool; task events off, no ledger.
 */
public final class MapChunks implements Scenario {

    private final int items;
    private final int chunk;

    public MapChunks(int items, int chunk) {
        this.items = items;
        this.chunk = chunk;
    }

    @Override
    public String name() {
        return "map";
    }

    @Override
    public void run(Stack stack, Results results) throws Exception {
        stack.reset();
        Stack.step("map: a worker with task events off, no API");
        var worker = new ArrayList<>(Throughput.WORKER);
        worker.add("--celeriac.worker.task-events=false");
        stack.worker("map", List.of(), worker.toArray(String[]::new));
        try (var producer = stack.producer(false)) {
            TaskClient client = producer.getBean(TaskClient.class);
            int warmUp = Math.max(chunk, items / 20);
            time(client, Workflow.chunks("demo.add", inputs(warmUp), chunk), warmUp);
            time(client, Workflow.starmap("demo.add", inputs(warmUp)), warmUp);

            Stack.step(String.format("map: %,d inputs in chunks of %,d", items, chunk));
            double chunked = time(client, Workflow.chunks("demo.add", inputs(items), chunk), items);
            Stack.step(String.format("map: %,d inputs, one message each", items));
            double single = time(client, Workflow.starmap("demo.add", inputs(items)), items);

            String how = "first publish to the last result back at the client (submitForResults)";
            results.add(Figure.of(
                            name(), String.format("%,d inputs in chunks of %,d, wall time", items, chunk), chunked, "s")
                    .noting(String.format("%,d messages of celery.starmap; %s", (items + chunk - 1) / chunk, how)));
            results.add(Figure.of(name(), String.format("%,d inputs, one message each, wall time", items), single, "s")
                    .noting(String.format("%,d messages of demo.add; %s", items, how)));
            results.add(Figure.of(name(), "inputs/s in chunks", items / chunked, "inputs/s"));
            results.add(Figure.of(name(), "inputs/s one message each", items / single, "inputs/s"));
            results.add(Figure.of(name(), "chunked / one message each", single / chunked, "speed-up"));
        }
    }

    private static List<List<Integer>> inputs(int count) {
        return IntStream.range(0, count).mapToObj(i -> List.of(i, i)).toList();
    }

    /** Seconds from the submit until every result arrived; fails unless the results add up to the inputs' sum. */
    private static double time(TaskClient client, Workflow.Group map, int items) throws Exception {
        long started = System.nanoTime();
        WorkflowResults run = client.submitForResults(map);
        List<WorkflowResults.Result> all = run.all().get(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - started) / 1e9;
        long total = 0;
        for (WorkflowResults.Result result : all) {
            if (!result.succeeded()) {
                throw new IllegalStateException("map task " + result.taskId() + " failed: " + result.error());
            }
            total += sum(result.value());
        }
        long expected = (long) items * (items - 1);
        if (total != expected) {
            throw new IllegalStateException("the map's results add up to " + total + ", not " + expected);
        }
        return seconds;
    }

    private static long sum(JsonNode value) {
        if (value.isArray()) {
            long total = 0;
            for (JsonNode each : value) {
                total += sum(each);
            }
            return total;
        }
        return value.asLong();
    }
}
