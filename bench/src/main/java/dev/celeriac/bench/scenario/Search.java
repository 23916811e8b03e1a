package dev.celeriac.bench.scenario;

import dev.celeriac.bench.report.Figure;
import dev.celeriac.bench.report.Results;
import dev.celeriac.bench.stack.JavaProcess;
import dev.celeriac.bench.stack.Stack;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The task list's search by argument ({@code GET /api/v1/tasks?search=}) on a PostgreSQL ledger holding {@code rows}
 * finished tasks (a million by default), as the dashboard and {@code celeriac tasks list --search} call it: a value
 * one task holds, one that twenty hold, one that none holds, and one that a seventh of all tasks hold, each asked
 * repeatedly for its first page of 50. The rows are loaded straight into PostgreSQL, each with an order id, a
 * customer and a region among its arguments, then vacuumed and analysed as autovacuum would have.
 */
public final class Search implements Scenario {

    /** Rows loaded per statement. */
    private static final int CHUNK = 250_000;

    /** Calls of each case before the measured ones, and measured. */
    private static final int WARMUP = 5;

    private static final int CALLS = 40;

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final int rows;

    public Search(int rows) {
        this.rows = rows;
    }

    @Override
    public String name() {
        return "search";
    }

    /** A search, and how many of the loaded tasks hold its text. */
    private record Case(String label, String text, int matching) {}

    @Override
    public void run(Stack stack, Results results) throws Exception {
        stack.reset();
        // The API creates the schema, the trigram index with it; the rows are loaded after, through the index.
        try (JavaProcess api = stack.api()) {
            Stack.step(String.format("search: loading %,d finished tasks", rows));
            long started = System.nanoTime();
            load(stack);
            results.add(Figure.of(name(), "load, with the trigram index", (System.nanoTime() - started) / 1e9, "s")
                    .noting(String.format("%,d tasks inserted and vacuumed", rows)));
            int order = rows / 2 + 7;
            var cases = List.of(
                    new Case("one task holds it (an order id)", "\"order-" + order + "\"", 1),
                    new Case("a few hold it (a customer)", "\"c-4242\"", customers(4242)),
                    new Case("none holds it", "order-none", 0),
                    new Case("a seventh of all hold it (a region)", "\"eu-3\"", -1));
            for (Case c : cases) {
                Stack.step("search: " + c.label());
                List<Double> millis = measure(api, c);
                millis.sort(null);
                String note = String.format("first page of 50, %d calls, %,d tasks in the ledger", CALLS, rows);
                results.add(Figure.of(name(), c.label() + ", p50", millis.get(millis.size() / 2), "ms")
                        .noting(note));
                double p99 = millis.get((int) Math.min(millis.size() - 1, Math.floor(0.99 * millis.size())));
                results.add(Figure.of(name(), c.label() + ", p99", p99, "ms")
                        .noting(note)
                        .against("< 200 ms", p99 < 200));
            }
        }
    }

    /** How many loaded tasks name this customer. */
    private int customers(int customer) {
        int count = 0;
        for (int i = customer; i < rows; i += 50_000) {
            count++;
        }
        return count;
    }

    private List<Double> measure(JavaProcess api, Case c) throws Exception {
        var millis = new ArrayList<Double>();
        String path = "/api/v1/tasks?limit=50&search=" + URLEncoder.encode(c.text(), StandardCharsets.UTF_8);
        for (int i = 0; i < WARMUP + CALLS; i++) {
            long start = System.nanoTime();
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(api.base() + path))
                            .header("Authorization", "Bearer " + Stack.API_KEY)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            double took = (System.nanoTime() - start) / 1e6;
            if (response.statusCode() != 200) {
                throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
            }
            JsonNode page = JSON.readTree(response.body());
            int found = page.path("tasks").size();
            int expected = c.matching() < 0 ? 50 : Math.min(50, c.matching());
            if (found != expected) {
                throw new IllegalStateException(c.label() + ": found " + found + " tasks, expected " + expected);
            }
            if (i >= WARMUP) {
                millis.add(took);
            }
        }
        return millis;
    }

    private void load(Stack stack) throws SQLException {
        try (var connection = stack.ledger();
                var statement = connection.createStatement()) {
            for (long start = 0; start < rows; start += CHUNK) {
                long end = Math.min(rows, start + CHUNK);
                statement.execute(
                        "INSERT INTO tasks (id, task, queue, state, attempt, replay, precedence, args, kwargs,"
                                + " result, result_truncated, worker, root_id, submitted_at, started_at, finished_at,"
                                + " updated_at) SELECT md5('search' || i)::uuid::text, 'shop.invoice', 'default', 'SUCCESS',"
                                + " 0, 0, " + ((1L << 41) + 6L * (1L << 21)) + ","
                                + " '[\"order-' || i || '\", ' || (i % 1000) || ']',"
                                + " '{\"customer\": \"c-' || (i % 50000) || '\", \"region\": \"eu-' || (i % 7) || '\"}',"
                                + " 'null', false, 'loaded@bench', md5('search' || i)::uuid::text, t, t, t, t"
                                + " FROM (SELECT i, now() - interval '7 days' + (i * interval '7 days' / " + rows
                                + ") - interval '1 hour' AS t FROM generate_series(" + start + ", " + (end - 1)
                                + ") AS i) AS rows");
            }
            statement.execute("VACUUM (ANALYZE) tasks");
        }
    }
}
