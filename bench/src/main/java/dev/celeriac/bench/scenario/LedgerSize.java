package dev.celeriac.bench.scenario;

import dev.celeriac.bench.report.Figure;
import dev.celeriac.bench.report.Results;
import dev.celeriac.bench.stack.JavaProcess;
import dev.celeriac.bench.stack.Stack;
import java.sql.SQLException;
import java.util.List;

/**
 * Recorded throughput as the ledger fills: the throughput scenario's recorded run, repeated on a ledger already
 * holding a fifth of {@code rows} finished tasks and then all of them (5 million by default), each compared with the
 * empty ledger of the same run. Each run has an API JVM of its own, started for it, so that none profits from a JIT
 * warmed by the run before. The rows are loaded straight into PostgreSQL with their history, spread over the last
 * week, as a week of finished tasks would be; then vacuumed and analysed, as autovacuum would have done.
 */
public final class LedgerSize implements Scenario {

    /** Rows loaded per statement. */
    private static final int CHUNK = 500_000;

    private final int tasks;
    private final int rows;

    public LedgerSize(int tasks, int rows) {
        this.tasks = tasks;
        this.rows = rows;
    }

    @Override
    public String name() {
        return "ledger";
    }

    @Override
    public void run(Stack stack, Results results) throws Exception {
        stack.reset();
        double empty = recorded(stack, "an empty ledger");
        results.add(Figure.of(name(), "tasks/s recorded, empty ledger", empty, "tasks/s")
                .noting("as the throughput scenario's recorded run"));
        long loaded = 0;
        // A fifth first, to show how the cost grows; a smoke run (a small ledger) goes straight to the end.
        var sizes = rows >= 1_000_000 ? List.of(rows / 5, rows) : List.of(rows);
        for (int size : sizes) {
            Stack.step(String.format("ledger: loading %,d finished tasks", size - loaded));
            load(stack, loaded, size);
            loaded = size;
            double recorded = recorded(stack, String.format("%,d tasks in the ledger", size));
            String label = String.format("%,d", size);
            results.add(Figure.of(name(), "tasks/s recorded, " + label + " tasks in the ledger", recorded, "tasks/s")
                    .noting(String.format("%,d no-op tasks recorded on top of %s finished ones", tasks, label)));
            var ratio = Figure.of(name(), label + " tasks ÷ empty", recorded / empty, "ratio");
            results.add(size == rows ? ratio.against("≥ 0.8", recorded / empty >= 0.8) : ratio);
        }
        results.add(Figure.of(name(), "ledger size on disk", tableBytes(stack) / 1024.0 / 1024.0, "MiB")
                .noting("tasks table with its indexes and history, after the last run"));
    }

    /** A recorded run on a fresh API JVM. */
    private double recorded(Stack stack, String ledger) throws Exception {
        Stack.step("ledger: starting an API on " + ledger);
        try (JavaProcess api = stack.api()) {
            return Throughput.recordedRun(stack, api, tasks, null).tasksPerSecond();
        }
    }

    /** Loads the rows numbered {@code from} up to {@code to}. */
    private static void load(Stack stack, long from, long to) throws SQLException {
        try (var connection = stack.ledger();
                var statement = connection.createStatement()) {
            for (long start = from; start < to; start += CHUNK) {
                long end = Math.min(to, start + CHUNK);
                // A random-looking id as a client's UUIDs are, a week of submit times, and a four-line history.
                statement.execute(
                        "INSERT INTO tasks (id, task, queue, state, attempt, replay, precedence, args, kwargs,"
                                + " result, result_truncated, worker, root_id, submitted_at, started_at, finished_at, updated_at,"
                                + " history) SELECT md5('bench' || i)::uuid::text, 'demo.noop', 'default', 'SUCCESS', 0, 0, "
                                + ((1L << 41) + 6L * (1L << 21)) + ", '[]', '{}', 'null', false, 'loaded@bench',"
                                + " md5('bench' || i)::uuid::text, t, t + interval '2 ms', t + interval '3 ms',"
                                + " t + interval '3 ms', '{\"t\":' || (extract(epoch from t) * 1000000)::bigint || ',\"s\":\"PENDING\",\"a\":0,\"d\":\"sent by bench\"}' || chr(10)"
                                + " || '{\"t\":' || (extract(epoch from t) * 1000000 + 1000)::bigint || ',\"s\":\"RECEIVED\",\"a\":0,\"w\":\"loaded@bench\"}' || chr(10)"
                                + " || '{\"t\":' || (extract(epoch from t) * 1000000 + 2000)::bigint || ',\"s\":\"STARTED\",\"a\":0,\"w\":\"loaded@bench\"}' || chr(10)"
                                + " || '{\"t\":' || (extract(epoch from t) * 1000000 + 3000)::bigint || ',\"s\":\"SUCCESS\",\"a\":0,\"w\":\"loaded@bench\"}' || chr(10)"
                                + " FROM (SELECT i, now() - interval '7 days' + (i * interval '7 days' / " + to
                                + ") - interval '1 hour' AS t"
                                + " FROM generate_series(" + start + ", " + (end - 1) + ") AS i) AS rows");
            }
            statement.execute("VACUUM (ANALYZE) tasks");
        }
    }

    private static long tableBytes(Stack stack) throws SQLException {
        try (var connection = stack.ledger();
                var statement = connection.createStatement();
                var result = statement.executeQuery("SELECT pg_total_relation_size('tasks')")) {
            result.next();
            return result.getLong(1);
        }
    }
}
