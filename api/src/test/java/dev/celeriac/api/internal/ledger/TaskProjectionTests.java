package dev.celeriac.api.internal.ledger;

import static dev.celeriac.api.internal.ledger.TaskLives.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.names.EventFields;
import dev.celeriac.protocol.state.TaskState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The projection alone: how a task's events, in any order and however often, become its record. */
class TaskProjectionTests {

    private final TaskProjection projection = new TaskProjection(16);

    private TaskRecord record(List<TaskEvent> events) {
        return projection.foldOne(events).toRecord();
    }

    /** Folds each batch, then merges the batches' changes in order, as batches reach the store one by one. */
    private TaskChange delivered(List<List<TaskEvent>> batches) {
        var changes = new ArrayList<List<TaskChange>>();
        for (List<TaskEvent> batch : batches) {
            changes.addAll(projection.fold(batch));
        }
        return TaskLives.expected(projection, changes).values().iterator().next();
    }

    @Test
    void endsInTheSameRecordWhateverOrderBatchesAndDuplicatesEventsArriveIn() {
        var random = new Random(7);
        for (int run = 0; run < 300; run++) {
            List<TaskEvent> life = TaskLives.retriedThenSucceeded("t", 2, 0, 0);
            TaskRecord record = delivered(TaskLives.delivered(life, random)).toRecord();
            assertThat(record.state()).as("run %d", run).isEqualTo(TaskState.SUCCESS);
            assertThat(record.retries()).isEqualTo(2);
            assertThat(record.result()).isEqualTo("\"done in run 0\"");
            assertThat(record.task()).isEqualTo("demo.flaky");
            assertThat(record.errorType()).isNull();
            assertThat(record.startedAt()).as("the start of the last attempt").isEqualTo(at(7).instant());
        }
    }

    @Test
    void takesTheKnownAttemptForCelerysEventsThatDoNotSayIt() {
        var random = new Random(11);
        for (int run = 0; run < 300; run++) {
            List<TaskEvent> life = TaskLives.celeryRetriedThenSucceeded("py", 2, 0);
            // Celery's own events come in order from one worker; only duplicates and batching vary.
            var batches = new ArrayList<List<TaskEvent>>();
            for (int from = 0; from < life.size(); ) {
                int to = Math.min(life.size(), from + 1 + random.nextInt(4));
                batches.add(life.subList(from, to));
                from = to;
            }
            TaskRecord record = delivered(batches).toRecord();
            assertThat(record.state()).isEqualTo(TaskState.SUCCESS);
            assertThat(record.retries()).as("run %d", run).isEqualTo(2);
        }
    }

    @Test
    void letsAReplayedRunOutrankEveryEventOfTheRunsBeforeIt() {
        var random = new Random(5);
        for (int run = 0; run < 300; run++) {
            var events = new ArrayList<TaskEvent>(TaskLives.failed("r", 0, 0));
            events.addAll(TaskLives.retriedThenSucceeded("r", 1, 1, 10));
            events.addAll(TaskLives.failed("r", 0, 0)); // the first run's events, late, again
            TaskChange merged = delivered(TaskLives.delivered(events, random));
            assertThat(merged.state()).as("run %d", run).isEqualTo(TaskState.SUCCESS);
            assertThat(merged.replay()).isEqualTo(1);
            assertThat(merged.toRecord().result()).isEqualTo("\"done in run 1\"");
            assertThat(merged.toRecord().retries()).isEqualTo(1);
            assertThat(merged.startedAt()).isEqualTo(at(14).instant());
        }
    }

    @Test
    void keepsAReplaysResetAgainstTheFailureItReplaysAndLetsTheReplayedRunEnd() {
        TaskChange failed = projection.foldOne(TaskLives.failed("x", 0, 0)).asFirstStored();
        TaskChange reset = TaskProjection.replayed("x", 1, TaskChange.Description.UNKNOWN, 7, at(5).instant());
        TaskChange afterReset = TaskProjection.merge(failed, reset);
        assertThat(afterReset.state()).isEqualTo(TaskState.PENDING);
        assertThat(afterReset.toRecord().finishedAt()).isNull();
        assertThat(afterReset.toRecord().errorType()).isNull();
        assertThat(afterReset.startedAt()).isNull();

        // A Celery worker running the replay says nothing of the run: its events belong to the run known.
        TaskChange replayedRun = projection.foldOne(List.of(
                new TaskEvent.Started(at(6), "x", Map.of()),
                new TaskEvent.Failed(at(7), "x", "ValueError('again')", "tb", Map.of())));
        TaskChange end = TaskProjection.merge(afterReset, replayedRun);
        assertThat(end.state()).isEqualTo(TaskState.FAILURE);
        assertThat(end.toRecord().errorMessage()).isEqualTo("again");
        assertThat(end.replay()).isEqualTo(1);
    }

    @Test
    void knowsATaskFromItsFirstEventWhenAnotherProducerSentIt() {
        TaskRecord record = delivered(List.of(List.of(
                        new TaskEvent.Failed(at(2), "py-1", "ValueError('x')", "Traceback...", Map.of()),
                        new TaskEvent.Received(
                                at(1), "py-1", "proj.work", "(1,)", "{}", 0, null, "py-1", null, Map.of()))))
                .toRecord();
        assertThat(record.state()).isEqualTo(TaskState.FAILURE);
        assertThat(record.task()).isEqualTo("proj.work");
        assertThat(record.errorType()).isEqualTo("ValueError");
        assertThat(record.errorMessage()).isEqualTo("x");
    }

    @Test
    void cutsResultsAboveTheLimitAndSaysSo() {
        TaskRecord record =
                record(List.of(new TaskEvent.Succeeded(at(1), "big", "\"" + "x".repeat(100) + "\"", 1, Map.of())));
        assertThat(record.resultTruncated()).isTrue();
        assertThat(record.result()).hasSize(16);
    }

    @Test
    void keepsTheLatestProgressUntilTheTaskEnds() {
        TaskChange running = projection.foldOne(List.of(
                new TaskEvent.Started(at(1), "p", Map.of(EventFields.RETRIES, 0)),
                new TaskEvent.Progress(at(2), "p", "{\"done\":1}", Map.of()),
                new TaskEvent.Progress(at(3), "p", "{\"done\":2}", Map.of())));
        assertThat(running.state()).isEqualTo(TaskState.STARTED);
        assertThat(running.progress()).isEqualTo("{\"done\":2}");
        TaskChange ended =
                TaskProjection.merge(running, projection.change(new TaskEvent.Succeeded(at(4), "p", "1", 1, Map.of())));
        TaskChange late = TaskProjection.merge(
                ended, projection.change(new TaskEvent.Progress(at(5), "p", "{\"done\":3}", Map.of())));
        assertThat(late.progress()).as("a report after the end changes nothing").isEqualTo("{\"done\":2}");
        assertThat(late.state()).isEqualTo(TaskState.SUCCESS);
    }

    @Test
    void takesEtaAndExpiresFromTheEventsOfATaskSentOutsideTheApiAndIgnoresMalformedTimes() {
        TaskRecord record = record(List.of(new TaskEvent.Received(
                at(1),
                "c",
                "py.add",
                "[1, 1]",
                "{}",
                0,
                "2030-01-02T03:04:05.678000+00:00",
                "c",
                null,
                Map.of("expires", "2030-01-03T00:00:00+00:00"))));
        assertThat(record.eta()).isEqualTo(Instant.parse("2030-01-02T03:04:05.678Z"));
        assertThat(record.expires()).isEqualTo(Instant.parse("2030-01-03T00:00:00Z"));

        TaskRecord badly = record(List.of(
                new TaskEvent.Received(at(2), "b", "py.add", "[]", "{}", 0, "not a time", "b", null, Map.of())));
        assertThat(badly.eta()).isNull();
    }

    @Test
    void recordsEveryStateChangeInTheHistoryWithItsAttemptAndRun() {
        TaskChange change = projection.foldOne(TaskLives.retriedThenSucceeded("h", 1, 0, 0));
        assertThat(change.history())
                .extracting(HistoryEntry::state)
                .containsExactly(
                        TaskState.RECEIVED,
                        TaskState.STARTED,
                        TaskState.RETRY,
                        TaskState.RECEIVED,
                        TaskState.STARTED,
                        TaskState.SUCCESS);
        assertThat(change.history()).extracting(HistoryEntry::attempt).containsExactly(0, 0, 0, 1, 1, 1);
    }
}
