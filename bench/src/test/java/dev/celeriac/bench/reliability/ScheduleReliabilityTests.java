package dev.celeriac.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.bench.stack.JavaProcess;
import dev.celeriac.bench.stack.Stack;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.testsupport.proxy.FaultProxy;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 19 of the reliability suite: three API instances run the scheduler of one schedule that fires every
 * second, with nothing to lead them, for two minutes and more under a steady load of other tasks, while they are
 * SIGKILLed and restarted one by one (four times at least) and the ledger's database is cut off (every connection
 * dropped and new ones refused) for 8 s every third step. Every slot from the first to the last fires exactly once: one
 * task per slot, none missing however late, none left PENDING; and once a pause has answered, none fires.
 */
class ScheduleReliabilityTests {

    private static final String SCHEDULE = "every-second";
    /** Steps of the run: two of every three kill an API, the third cuts the database off. */
    private static final int STEPS = 6;

    private static final Duration STEP = Duration.ofSeconds(12);

    /** The run lasts this long at least, however quickly the steps go. */
    private static final Duration RUN = Duration.ofMinutes(2);

    private static final Duration DATABASE_CUT = Duration.ofSeconds(8);
    private static final String[] API_ARGUMENTS = {"--celeriac.api.scheduler-poll=200ms"};

    @TempDir
    static Path logs;

    @Test
    void threeApisFireEverySlotOnceWhileTheyAndTheDatabaseAreKilled() throws Exception {
        try (var trial = Trial.start("schedules", logs);
                var database = FaultProxy.to("127.0.0.1", 5432)) {
            Stack stack = trial.stack();
            String ledger = stack.ledgerUrl().replace(":5432/", ":" + database.port() + "/");
            var apis = new ArrayList<JavaProcess>();
            for (int i = 0; i < 3; i++) {
                apis.add(stack.apiWithLedger(ledger, API_ARGUMENTS));
            }
            stack.worker("w1", List.of(), "--celeriac.worker.queues.default.concurrency=16");
            TaskClient client = stack.producer(true).getBean(TaskClient.class);
            trial.watch();
            HttpResponse<String> created = new Rest(apis.getFirst(), Stack.API_KEY)
                    .post("/api/v1/schedules", """
                            {"id": "%s", "every": 1, "task": "demo.echo", "kwargs": {"schedule": "%s"},
                             "missed": "run-each"}""".formatted(SCHEDULE, SCHEDULE));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

            int kills = 0;
            int cuts = 0;
            var outages = new ArrayList<Instant[]>();
            long started = System.nanoTime();
            try (var load = trial.keepSubmitting(client, 20, () -> TaskRequest.of("demo.add", 2, 2))) {
                for (int step = 0; step < STEPS || System.nanoTime() - started < RUN.toNanos(); step++) {
                    Thread.sleep(STEP);
                    if (step % 3 == 2) {
                        Stack.step("cutting the database off for " + DATABASE_CUT.toSeconds() + " s");
                        Instant cut = Instant.now();
                        database.disconnect();
                        Thread.sleep(DATABASE_CUT);
                        database.restore();
                        outages.add(new Instant[] {cut, Instant.now()});
                        cuts++;
                    } else {
                        int victim = kills % apis.size();
                        Stack.step("SIGKILL of API " + (victim + 1) + ", and a new one in its place");
                        apis.get(victim).kill();
                        apis.set(victim, stack.apiWithLedger(ledger, API_ARGUMENTS));
                        kills++;
                    }
                }
            }
            var rest = new Rest(apis.getLast(), Stack.API_KEY);
            await().atMost(Duration.ofMinutes(1))
                    .until(() -> rest.post("/api/v1/schedules/" + SCHEDULE + "/pause", "")
                                    .statusCode()
                            == 200);

            // Once the pause has answered, no slot fires: a round under way (after a database cut, one catching up
            // several slots at once) committed its fires before the pause could, and one after it finds the schedule
            // paused. The fires read now are the fires read once every task has finished.
            List<Fire> fires = ended(stack).fires();
            fires.forEach(fire -> trial.accepted(fire.taskId()));
            trial.awaitAllTerminal(Duration.ofMinutes(3));
            Ended ended = ended(stack);
            List<Long> lateness = lateness(fires, fire -> true);
            // The slots that came while the database was cut off fire once it is back: the rest show the scheduler's
            // own lateness, SIGKILLs and load included.
            List<Long> undisturbed = lateness(
                    fires,
                    fire -> outages.stream()
                            .noneMatch(o -> !fire.slot().isBefore(o[0].minusSeconds(1))
                                    && !fire.slot().isAfter(o[1].plusSeconds(1))));
            trial.report(
                    "schedules",
                    ("%d slots of a 1 s schedule over %d s, fired by 3 APIs through %d SIGKILLs and %d database cuts"
                                    + " of %d s; lateness (slot to recorded) of the %d slots outside the cuts p50 %d ms,"
                                    + " p99 %d ms, max %d ms; of all p50 %d ms, p99 %d ms, max %d ms")
                            .formatted(
                                    fires.size(),
                                    Duration.ofNanos(System.nanoTime() - started)
                                            .toSeconds(),
                                    kills,
                                    cuts,
                                    DATABASE_CUT.toSeconds(),
                                    undisturbed.size(),
                                    percentile(undisturbed, 0.50),
                                    percentile(undisturbed, 0.99),
                                    undisturbed.getLast(),
                                    percentile(lateness, 0.50),
                                    percentile(lateness, 0.99),
                                    lateness.getLast()));

            trial.assertNothingLost();
            assertThat(trial.states()).containsOnlyKeys("SUCCESS");
            // Every second from the first slot to the last, once each.
            assertThat(fires.size())
                    .isGreaterThanOrEqualTo((int) STEP.multipliedBy(STEPS).toSeconds());
            for (int i = 1; i < fires.size(); i++) {
                assertThat(Duration.between(
                                fires.get(i - 1).slot(), fires.get(i).slot()))
                        .as("slot after %s", fires.get(i - 1).slot())
                        .isEqualTo(Duration.ofSeconds(1));
            }
            assertThat(fires).allSatisfy(fire -> assertThat(fire.outcome()).isEqualTo("fired"));
            assertThat(new HashSet<>(fires.stream().map(Fire::taskId).toList())).hasSameSizeAs(fires);
            assertThat(ended.fires().stream().map(Fire::slot).toList())
                    .as("the slots fired, once the pause had answered and once every task had finished")
                    .isEqualTo(fires.stream().map(Fire::slot).toList());
            // No task of the schedule but the fired ones: a slot two instances tried is one task. Read in one
            // snapshot with the fires, since each is recorded with its task in one transaction.
            assertThat(ended.scheduledTasks()).isEqualTo(ended.fires().size());
        }
    }

    private record Fire(Instant slot, String taskId, String outcome, Instant submitted) {}

    /** The schedule's fires, and how many tasks of the schedule the ledger holds, read in one snapshot. */
    private record Ended(List<Fire> fires, long scheduledTasks) {}

    private static Ended ended(Stack stack) throws Exception {
        try (var connection = stack.ledger()) {
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setAutoCommit(false);
            try {
                return new Ended(fires(connection), scheduledTasks(connection));
            } finally {
                connection.rollback();
            }
        }
    }

    private static List<Fire> fires(Connection connection) throws Exception {
        var fires = new ArrayList<Fire>();
        try (var statement = connection.prepareStatement("SELECT f.slot, f.task_id, f.outcome, t.submitted_at"
                + " FROM schedule_fires f LEFT JOIN tasks t ON t.id = f.task_id WHERE f.schedule_id = ?"
                + " ORDER BY f.slot")) {
            statement.setString(1, SCHEDULE);
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    fires.add(new Fire(
                            rows.getTimestamp(1).toInstant(),
                            rows.getString(2),
                            rows.getString(3),
                            rows.getTimestamp(4) == null
                                    ? rows.getTimestamp(1).toInstant()
                                    : rows.getTimestamp(4).toInstant()));
                }
            }
        }
        return fires;
    }

    private static long scheduledTasks(Connection connection) throws Exception {
        try (var statement =
                connection.prepareStatement("SELECT COUNT(*) FROM tasks WHERE task = 'demo.echo' AND kwargs LIKE ?")) {
            statement.setString(1, "%" + SCHEDULE + "%");
            try (var rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static List<Long> lateness(List<Fire> fires, Predicate<Fire> which) {
        return fires.stream()
                .filter(which)
                .map(fire -> Duration.between(fire.slot(), fire.submitted()).toMillis())
                .sorted()
                .toList();
    }

    private static long percentile(List<Long> sorted, double p) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size())));
    }
}
