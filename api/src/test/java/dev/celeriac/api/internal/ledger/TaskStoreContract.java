package dev.celeriac.api.internal.ledger;

import static dev.celeriac.api.internal.ledger.TaskLives.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.names.EventFields;
import dev.celeriac.protocol.state.TaskState;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What the task store promises, on every database the ledger runs on: it merges a batch into stored records by
 * exactly the projection's rules, in one statement, and keeps each task's whole history.
 */
abstract class TaskStoreContract {

    /** A fresh, empty database for one test. */
    abstract DataSource freshDatabase();

    final TaskProjection projection = new TaskProjection(16);
    DataSource dataSource;
    TaskStore store;

    @BeforeEach
    void migrate() {
        dataSource = freshDatabase();
        TestLedgers.migrate(dataSource);
        store = new TaskStore(
                JdbcClient.create(new JdbcTemplate(dataSource)), LedgerDialect.of(dataSource), Clock.systemUTC());
    }

    private void deliver(List<List<TaskEvent>> batches) {
        for (List<TaskEvent> batch : batches) {
            projection.fold(batch).forEach(store::write);
        }
    }

    @Test
    void mergesBatchesInsideSqlExactlyAsTheProjectionDoes() {
        var random = new Random(13);
        var lives = new ArrayList<TaskEvent>();
        for (int task = 0; task < 40; task++) {
            String id = "t-" + task;
            switch (task % 4) {
                case 0 -> lives.addAll(TaskLives.retriedThenSucceeded(id, task % 3, 0, task));
                case 1 -> lives.addAll(TaskLives.failed(id, 0, task));
                case 2 -> {
                    lives.addAll(TaskLives.failed(id, 0, task));
                    lives.addAll(TaskLives.retriedThenSucceeded(id, 1, 1, task + 10));
                }
                default -> lives.addAll(TaskLives.celeryRetriedThenSucceeded(id, 1, task));
            }
        }
        List<List<TaskEvent>> batches = TaskLives.delivered(lives, random);
        deliver(batches);

        var folded = new ArrayList<List<TaskChange>>();
        batches.forEach(batch -> folded.addAll(projection.fold(batch)));
        Map<String, TaskChange> expected = TaskLives.expected(projection, folded);
        assertThat(expected).hasSize(40);
        expected.forEach((id, change) -> {
            assertThat(store.find(id)).as(id).contains(micros(change.toRecord()));
            assertThat(store.history(id)).as(id).isEqualTo(HistoryLines.decode(HistoryLines.encode(change.history())));
        });
    }

    /** The record at the database's precision. */
    private static TaskRecord micros(TaskRecord r) {
        return new TaskRecord(
                r.id(),
                r.task(),
                r.queue(),
                r.state(),
                r.retries(),
                r.args(),
                r.kwargs(),
                r.result(),
                r.resultTruncated(),
                r.errorType(),
                r.errorMessage(),
                r.traceback(),
                r.progress(),
                r.worker(),
                r.parentId(),
                r.rootId(),
                micros(r.eta()),
                micros(r.expires()),
                micros(r.submittedAt()),
                micros(r.startedAt()),
                micros(r.finishedAt()));
    }

    private static Instant micros(Instant at) {
        return at == null ? null : at.truncatedTo(ChronoUnit.MICROS);
    }

    @Test
    void showsEveryStateChangeOnceOldestFirstWhateverOrderAndHowOftenEventsArrived() {
        List<TaskEvent> life = TaskLives.retriedThenSucceeded("h", 1, 0, 0);
        var shuffled = new ArrayList<>(life);
        shuffled.addAll(life.subList(0, 3));
        Collections.shuffle(shuffled, new Random(2));
        for (TaskEvent event : shuffled) {
            store.write(List.of(projection.change(event)));
        }
        assertThat(store.history("h"))
                .extracting(HistoryEntry::state, HistoryEntry::attempt)
                .containsExactly(
                        tuple(TaskState.RECEIVED, 0),
                        tuple(TaskState.STARTED, 0),
                        tuple(TaskState.RETRY, 0),
                        tuple(TaskState.RECEIVED, 1),
                        tuple(TaskState.STARTED, 1),
                        tuple(TaskState.SUCCESS, 1));
        assertThat(store.history("h")).extracting(HistoryEntry::at).isSorted();
    }

    @Test
    void keepsAnAcceptedTaskPendingUntilItsEventsArriveAndItsArgumentsAsSubmitted() {
        var submitted = TaskProjection.submitted(
                "p-1",
                new TaskChange.Description("demo.add", "default", "[1,2]", "{}", null, "p-1", null, null),
                at(0).instant());
        store.write(List.of(submitted));
        assertThat(store.find("p-1")).contains(micros(submitted.asFirstStored().toRecord()));

        deliver(List.of(List.of(new TaskEvent.Started(at(1), "p-1", Map.of(EventFields.RETRIES, 0)))));
        deliver(List.of(List.of(
                new TaskEvent.Received(at(0.5), "p-1", "demo.add", "[1, 2]", "{}", 0, null, "p-1", null, Map.of()))));
        TaskRecord record = store.find("p-1").orElseThrow();
        assertThat(record.state()).isEqualTo(TaskState.STARTED);
        assertThat(record.args())
                .as("as submitted, not as the worker printed it")
                .isEqualTo("[1,2]");
        assertThat(store.history("p-1"))
                .extracting(HistoryEntry::state)
                .containsExactly(TaskState.PENDING, TaskState.RECEIVED, TaskState.STARTED);
    }

    @Test
    void removesFinishedTasksOlderThanTheRetentionAndKeepsTheRest() {
        deliver(List.of(List.of(
                new TaskEvent.Succeeded(at(1), "old", "1", 1, Map.of()),
                new TaskEvent.Started(at(1), "running", Map.of()),
                new TaskEvent.Succeeded(at(100), "recent", "2", 1, Map.of()))));

        int removed = store.expire(at(50).instant());

        assertThat(removed).isEqualTo(1);
        assertThat(store.find("old")).isEmpty();
        assertThat(store.history("old")).isEmpty();
        assertThat(store.find("running")).isPresent();
        assertThat(store.find("recent")).isPresent();
    }

    @Test
    void knowsNothingOfAnIdItNeverSaw() {
        assertThat(store.find("never")).isEmpty();
        assertThat(store.replayOf("never")).isEmpty();
    }

    @Test
    void forgetsAnAcceptedTaskWhosePublishFailedButNoTaskAWorkerReported() {
        var description = new TaskChange.Description("demo.add", "default", "[]", "{}", null, null, null, null);
        store.write(List.of(
                TaskProjection.submitted("f-1", description, Instant.now()),
                TaskProjection.submitted("f-2", description, Instant.now())));
        deliver(List.of(List.of(new TaskEvent.Started(at(1), "f-2", Map.of()))));

        store.forget(List.of("f-1", "f-2"));

        assertThat(store.find("f-1")).isEmpty();
        assertThat(store.find("f-2")).isPresent();
    }

    @Test
    void pagesByStateByTaskNameAndByQueue() {
        deliver(List.of(List.of(
                new TaskEvent.Succeeded(at(1), "s", "1", 1, Map.of()),
                new TaskEvent.Failed(at(2), "f", "E('x')", null, Map.of()),
                new TaskEvent.Started(at(3), "r", Map.of()),
                new TaskEvent.Received(at(4), "q", "demo.add", "[]", "{}", 0, null, "q", null, Map.of()))));
        assertThat(store.page(new TaskFilter(TaskState.SUCCESS, null, null, null, null, null, null, null), 10, null)
                        .tasks())
                .extracting(TaskRecord::id)
                .containsExactly("s");
        assertThat(store.page(new TaskFilter(TaskState.STARTED, null, null, null, null, null, null, null), 10, null)
                        .tasks())
                .extracting(TaskRecord::id)
                .containsExactly("r");
        assertThat(store.page(new TaskFilter(null, "demo.add", null, null, null, null, null, null), 10, null)
                        .tasks())
                .extracting(TaskRecord::id)
                .containsExactly("q");
        assertThat(store.statesOf(List.of("s", "r", "never")))
                .isEqualTo(Map.of("s", TaskState.SUCCESS, "r", TaskState.STARTED));
    }

    @Test
    void findsTasksByTextInTheirArgumentsLiterallyAndWithoutRegardToCase() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        store.write(List.of(
                submitted("order-a", "[\"Order-7731\", 3]", "{}", now.minusSeconds(30)),
                submitted("order-b", "[]", "{\"order\": \"order-7731\"}", now.minusSeconds(20)),
                submitted("percent", "[\"100% sure\"]", "{}", now.minusSeconds(10)),
                submitted("underscore", "[\"a_b\"]", "{\"x\": \"axb\"}", now)));

        assertThat(store.page(search("ORDER-7731"), 10, null).tasks())
                .extracting(TaskRecord::id)
                .containsExactly("order-b", "order-a");
        // LIKE's wildcards are searched for as themselves.
        assertThat(store.ids(search("0% s"), 10)).containsExactly("percent");
        assertThat(store.ids(search("a_b"), 10)).containsExactly("underscore");
        assertThat(store.ids(search("nowhere"), 10)).isEmpty();
        // With a time range: submitted at or after since, before until.
        var range = new TaskFilter(null, null, null, null, null, "7731", now.minusSeconds(20), now);
        assertThat(store.ids(range, 10)).containsExactly("order-b");
        assertThat(store.ids(TaskFilter.ALL, 2)).containsExactly("underscore", "percent");
    }

    @Test
    void findsTheChildrenATaskSentInItsWorkflowAndWithoutOne() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        store.write(List.of(
                family("root", null, "root", now.minusSeconds(50)),
                family("parent", "root", "root", now.minusSeconds(40)),
                family("child-1", "parent", "root", now.minusSeconds(30)),
                family("child-2", "parent", "root", now.minusSeconds(20)),
                family("grandchild", "child-1", "root", now.minusSeconds(10)),
                // A task outside any workflow: its children take it as their root.
                family("loner", null, null, now.minusSeconds(5)),
                family("loner-child", "loner", "loner", now)));

        assertThat(store.ids(children("parent"), 10)).containsExactly("child-2", "child-1");
        assertThat(store.ids(children("root"), 10)).containsExactly("parent");
        assertThat(store.ids(children("child-2"), 10)).isEmpty();
        assertThat(store.ids(children("loner"), 10)).containsExactly("loner-child");
        assertThat(store.ids(children("never-seen"), 10)).isEmpty();
    }

    @Test
    void countsTheTasksOfEachMinuteByTheStateTheyAreIn() {
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(5, ChronoUnit.MINUTES);
        store.write(List.of(
                submitted("m-1", "[]", "{}", minute.plusSeconds(1)),
                submitted("m-2", "[]", "{}", minute.plusSeconds(59)),
                submitted("m-3", "[]", "{}", minute.plusSeconds(61)),
                submitted("old", "[]", "{}", minute.minusSeconds(1))));
        deliver(List.of(List.of(
                new TaskEvent.Succeeded(at(1), "m-1", "1", 1, Map.of()),
                new TaskEvent.Failed(at(2), "m-3", "E('x')", null, Map.of()))));

        assertThat(store.minutesSince(minute))
                .containsExactlyInAnyOrder(
                        new TaskStore.MinuteCount(minute, TaskState.SUCCESS, 1),
                        new TaskStore.MinuteCount(minute, TaskState.PENDING, 1),
                        new TaskStore.MinuteCount(minute.plusSeconds(60), TaskState.FAILURE, 1));
    }

    private static TaskFilter search(String text) {
        return new TaskFilter(null, null, null, null, null, text, null, null);
    }

    private static TaskFilter children(String parent) {
        return new TaskFilter(null, null, null, null, parent, null, null, null);
    }

    private static TaskChange family(String id, String parent, String root, Instant at) {
        return TaskProjection.submitted(
                id, new TaskChange.Description("demo.echo", "default", "[]", "{}", parent, root, null, null), at);
    }

    private static TaskChange submitted(String id, String args, String kwargs, Instant at) {
        return TaskProjection.submitted(
                id, new TaskChange.Description("demo.echo", "default", args, kwargs, null, null, null, null), at);
    }

    @Test
    void movesTheHistoryOfALedgerWrittenBeforeItIntoEachTasksRow() throws Exception {
        DataSource older = freshDatabase();
        Flyway.configure().dataSource(older).target("5").load().migrate();
        var jdbc = new JdbcTemplate(older);
        jdbc.update("INSERT INTO tasks (id, task, state, attempt, submitted_at, updated_at, finished_at)"
                + " VALUES ('m', 'demo.add', 'SUCCESS', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
        jdbc.update("INSERT INTO task_history (task_id, at, state, attempt, worker, detail) VALUES"
                + " ('m', TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00', 'PENDING', 0, NULL, 'submitted'),"
                + " ('m', TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:02+00', 'SUCCESS', 1, 'w@h', NULL),"
                + " ('m', TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:01+00', 'RETRY', 0, 'w@h', 'E(''x'')')");

        Flyway.configure()
                .dataSource(older)
                .javaMigrations(new HistoryMigration())
                .load()
                .migrate();

        var migrated = new TaskStore(JdbcClient.create(jdbc), LedgerDialect.of(older), Clock.systemUTC());
        assertThat(migrated.history("m"))
                .extracting(HistoryEntry::state, HistoryEntry::detail)
                .containsExactly(
                        tuple(TaskState.PENDING, "submitted"),
                        tuple(TaskState.RETRY, "E('x')"),
                        tuple(TaskState.SUCCESS, null));
        // A late event of the migrated task's first attempt does not move it back.
        migrated.write(List.of(projection.change(new TaskEvent.Started(at(1), "m", Map.of(EventFields.RETRIES, 0)))));
        assertThat(migrated.find("m").orElseThrow().state()).isEqualTo(TaskState.SUCCESS);
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM information_schema.tables WHERE LOWER(table_name) = 'task_history'",
                        Integer.class))
                .isZero();
    }
}
