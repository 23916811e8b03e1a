package dev.celeriac.api.internal.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.state.TaskState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.core.JdbcTemplate;

/** The task store on PostgreSQL (production), where several API instances write at once. */
class TaskStorePostgresIntegrationTests extends TaskStoreContract {

    @RegisterExtension
    final TestLedgers.PostgresDatabases databases = new TestLedgers.PostgresDatabases("celeriac_test_store_");

    @Override
    DataSource freshDatabase() {
        return databases.fresh();
    }

    @Test
    void searchesArgumentsThroughTheTrigramIndexNotByReadingEveryTask() {
        var jdbc = new JdbcTemplate(dataSource);
        jdbc.update("INSERT INTO tasks (id, task, queue, state, args, kwargs, submitted_at, updated_at)"
                + " SELECT 'bulk-' || n, 'demo.echo', 'default', 'SUCCESS', '[' || n || ']',"
                + " '{\"customer\": \"c-' || n || '\"}', now() - n * interval '1 second', now()"
                + " FROM generate_series(1, 50000) AS n");
        jdbc.execute("ANALYZE tasks");

        String plan = String.join(
                "\n",
                jdbc.queryForList(
                        "EXPLAIN SELECT id FROM tasks WHERE " + TaskStore.ARGUMENTS_TEXT
                                + " ILIKE '%c-31337%' ORDER BY submitted_at DESC, id DESC LIMIT 51",
                        String.class));
        assertThat(plan).contains("tasks_by_arguments");
        assertThat(store.ids(new TaskFilter(null, null, null, null, null, "\"c-31337\"", null, null), 10))
                .containsExactly("bulk-31337");
    }

    @Test
    void twoWritersMergingTheSameTasksAtOnceNeverMoveOneBackwards() throws Exception {
        // Each writer gets half of every task's events, in an order of its own: as two API instances consuming the
        // same event queue get them. They write at the same time, batch after batch.
        var halves = List.of(new ArrayList<TaskEvent>(), new ArrayList<TaskEvent>());
        var random = new Random(17);
        int tasks = 300;
        for (int task = 0; task < tasks; task++) {
            for (TaskEvent event : TaskLives.retriedThenSucceeded("c-" + task, task % 3, 0, task % 10)) {
                halves.get(random.nextInt(2)).add(event);
            }
        }
        try (var writers = Executors.newFixedThreadPool(2)) {
            var done = new ArrayList<Future<?>>();
            for (List<TaskEvent> half : halves) {
                Collections.shuffle(half, random);
                done.add(writers.submit(() -> {
                    for (int from = 0; from < half.size(); from += 25) {
                        projection
                                .fold(half.subList(from, Math.min(half.size(), from + 25)))
                                .forEach(store::write);
                    }
                    return null;
                }));
            }
            for (Future<?> writer : done) {
                writer.get();
            }
        }
        for (int task = 0; task < tasks; task++) {
            TaskRecord record = store.find("c-" + task).orElseThrow();
            assertThat(record.state()).as("c-%d", task).isEqualTo(TaskState.SUCCESS);
            assertThat(record.retries()).isEqualTo(task % 3);
            assertThat(store.history("c-" + task)).hasSize(3 * (task % 3) + 3);
        }
    }
}
