package dev.celeriac.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.bench.stack.Stack;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Scenario 13 of the reliability suite: two API instances record the same event stream into one PostgreSQL ledger,
 * each taking whichever events the broker gives it, so that the events of one task are written by both, in either
 * order, in batches of either. No recorded state may ever move backwards, and no event may be lost: every task ends
 * in its right state with every state change of its history.
 */
class TwoRecordersReliabilityTests {

    @TempDir
    static Path logs;

    @Test
    void twoApisRecordingOneEventStreamNeverMoveATaskBackAndLoseNoEvent() throws Exception {
        try (var trial = Trial.start("two-recorders", logs)) {
            Stack stack = trial.stack();
            // Small batches, so that the two recorders interleave many writes of the same tasks.
            var rest = new Rest(stack.api("--celeriac.api.recorder-batch-size=20"), Stack.API_KEY);
            stack.api("--celeriac.api.recorder-batch-size=20");
            TaskClient client = trial.twoWorkersAndAProducer("--celeriac.worker.queues.default.concurrency=32");

            List<String> plain = trial.submit(client, 3_000, () -> TaskRequest.of("demo.add", 1, 2));
            // Retried once each: two attempts, five state changes after the sent event.
            List<String> retried = trial.submit(client, 1_000, () -> TaskRequest.of("demo.flaky", 1));
            trial.awaitAllTerminal(Duration.ofMinutes(3));

            Map<String, List<String>> plainHistories = histories(rest, plain);
            Map<String, List<String>> retriedHistories = histories(rest, retried);
            var shapes = new TreeMap<String, Integer>();
            plainHistories.values().forEach(h -> shapes.merge(String.join(" ", h), 1, Integer::sum));
            retriedHistories.values().forEach(h -> shapes.merge(String.join(" ", h), 1, Integer::sum));
            trial.report("two recorders", "history shapes %s".formatted(shapes));
            trial.assertNothingLost();
            assertThat(trial.states()).containsOnlyKeys("SUCCESS");
            assertThat(plainHistories.values())
                    .hasSize(plain.size())
                    .allMatch(h -> h.equals(List.of("PENDING@0", "RECEIVED@0", "STARTED@0", "SUCCESS@0")));
            assertThat(retriedHistories.values())
                    .hasSize(retried.size())
                    .allMatch(h -> h.equals(List.of(
                            "PENDING@0",
                            "RECEIVED@0",
                            "STARTED@0",
                            "RETRY@0",
                            "RECEIVED@1",
                            "STARTED@1",
                            "SUCCESS@1")));
            assertThat(trial.stateOf(retried).keySet()).hasSize(retried.size());
            assertRetries(trial, retried, 1);
        }
    }

    /** Each task's history as state@attempt, read over REST as users read it. */
    private static Map<String, List<String>> histories(Rest rest, List<String> ids) {
        var histories = new HashMap<String, List<String>>();
        for (String id : ids) {
            JsonNode history = Rest.json(rest.get("/api/v1/tasks/" + id + "/history"));
            var changes = new ArrayList<String>();
            history.get("history")
                    .forEach(c -> changes.add(
                            c.get("state").asString() + "@" + c.get("attempt").asInt()));
            histories.put(id, changes);
        }
        return histories;
    }

    private static void assertRetries(Trial trial, List<String> ids, int retries) throws Exception {
        Set<Integer> seen = new HashSet<>();
        try (var connection = trial.stack().ledger();
                var statement = connection.prepareStatement("SELECT attempt FROM tasks WHERE id = ANY (?)")) {
            statement.setArray(1, connection.createArrayOf("varchar", ids.toArray()));
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    seen.add(rows.getInt(1));
                }
            }
        }
        assertThat(seen).containsOnly(retries);
    }
}
