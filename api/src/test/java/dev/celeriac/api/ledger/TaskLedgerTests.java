package dev.celeriac.api.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.protocol.event.EventSource;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.state.TaskState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/** The ledger on an embedded H2 database migrated by the real Flyway scripts. */
class TaskLedgerTests {

    private TaskLedger ledger;

    @BeforeEach
    void freshDatabase() {
        var dataSource = new DriverManagerDataSource(
                "jdbc:h2:mem:" + UUID.randomUUID()
                        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1",
                "sa",
                "");
        Flyway.configure().dataSource(dataSource).load().migrate();
        ledger = new TaskLedger(
                new JdbcTemplate(dataSource),
                new TransactionTemplate(new DataSourceTransactionManager(dataSource)),
                16,
                Clock.systemUTC());
    }

    /** Events of this test happen from now on, in seconds. */
    private static final double NOW = System.currentTimeMillis() / 1000.0 + 1;

    private static EventSource at(double seconds) {
        return new EventSource("w@h", NOW + seconds, 0, 1, (long) seconds);
    }

    private static List<TaskEvent> retriedTwiceThenSucceeded(String id) {
        return List.of(
                new TaskEvent.Received(at(1), id, "demo.flaky", "[2]", "{}", 0, null, id, null, Map.of()),
                new TaskEvent.Started(at(2), id, Map.of("retries", 0)),
                new TaskEvent.Retried(at(3), id, "IllegalStateException('a')", "tb", Map.of("retries", 1)),
                new TaskEvent.Received(at(4), id, "demo.flaky", "[2]", "{}", 1, null, id, null, Map.of()),
                new TaskEvent.Started(at(5), id, Map.of("retries", 1)),
                new TaskEvent.Retried(at(6), id, "IllegalStateException('b')", "tb", Map.of("retries", 2)),
                new TaskEvent.Received(at(7), id, "demo.flaky", "[2]", "{}", 2, null, id, null, Map.of()),
                new TaskEvent.Started(at(8), id, Map.of("retries", 2)),
                new TaskEvent.Succeeded(at(9), id, "3", 0.01, Map.of("retries", 2)));
    }

    @Test
    void endsInTheSameStateWhateverOrderAndHowOftenEventsArrive() {
        var random = new Random(3);
        for (int run = 0; run < 30; run++) {
            String id = "t-" + run;
            var events = new ArrayList<TaskEvent>(retriedTwiceThenSucceeded(id));
            events.addAll(retriedTwiceThenSucceeded(id).subList(0, 4 + random.nextInt(5))); // duplicates
            Collections.shuffle(events, random);
            // Delivered in batches of random size, as the recorder does.
            int from = 0;
            while (from < events.size()) {
                int to = Math.min(events.size(), from + 1 + random.nextInt(4));
                ledger.apply(events.subList(from, to));
                from = to;
            }
            TaskRecord record = ledger.find(id).orElseThrow();
            assertThat(record.state()).as("run %d", run).isEqualTo(TaskState.SUCCESS);
            assertThat(record.retries()).isEqualTo(2);
            assertThat(record.result()).isEqualTo("3");
            assertThat(record.task()).isEqualTo("demo.flaky");
            assertThat(record.errorType()).isNull();
            assertThat(record.startedAt())
                    .as("start of the last attempt")
                    .isCloseTo(
                            at(8).instant(),
                            org.assertj.core.api.Assertions.within(1, java.time.temporal.ChronoUnit.MILLIS));
        }
    }

    @Test
    void keepsAnAcceptedTaskPendingUntilItsEventsArrive() {
        ledger.recordSubmitted(
                new TaskLedger.Submitted("p-1", "demo.add", "default", "[1,2]", "{}", null, "p-1", null, null));
        assertThat(ledger.find("p-1").orElseThrow().state()).isEqualTo(TaskState.PENDING);
        ledger.apply(List.of(new TaskEvent.Started(at(1), "p-1", Map.of("retries", 0))));
        ledger.apply(List.of(
                new TaskEvent.Received(at(0.5), "p-1", "demo.add", "[1, 2]", "{}", 0, null, "p-1", null, Map.of())));
        TaskRecord record = ledger.find("p-1").orElseThrow();
        assertThat(record.state()).isEqualTo(TaskState.STARTED);
        assertThat(record.args()).isEqualTo("[1,2]");
        assertThat(ledger.history("p-1")).extracting(row -> row.get("state")).containsExactly("PENDING", "STARTED");
    }

    @Test
    void knowsATaskFromItsFirstEventWhenAnotherProducerSentIt() {
        ledger.apply(List.of(new TaskEvent.Failed(at(2), "py-1", "ValueError('x')", "Traceback...", Map.of())));
        ledger.apply(List.of(
                new TaskEvent.Received(at(1), "py-1", "proj.work", "(1,)", "{}", 0, null, "py-1", null, Map.of())));
        TaskRecord record = ledger.find("py-1").orElseThrow();
        assertThat(record.state()).isEqualTo(TaskState.FAILURE);
        assertThat(record.task()).isEqualTo("proj.work");
        assertThat(record.errorType()).isEqualTo("ValueError");
        assertThat(record.errorMessage()).isEqualTo("x");
    }

    @Test
    void cutsResultsAboveTheLimitAndSaysSo() {
        ledger.apply(List.of(new TaskEvent.Succeeded(at(1), "big", "\"" + "x".repeat(100) + "\"", 1, Map.of())));
        TaskRecord record = ledger.find("big").orElseThrow();
        assertThat(record.resultTruncated()).isTrue();
        assertThat(record.result()).hasSize(16);
    }

    @Test
    void removesFinishedTasksOlderThanTheRetentionAndKeepsTheRest() {
        ledger.apply(List.of(new TaskEvent.Succeeded(at(1), "old", "1", 1, Map.of())));
        ledger.apply(List.of(new TaskEvent.Started(at(1), "running", Map.of())));
        ledger.apply(List.of(new TaskEvent.Succeeded(at(100), "recent", "2", 1, Map.of())));

        int removed = ledger.expire(java.time.Instant.ofEpochMilli((long) ((NOW + 50) * 1000)));

        assertThat(removed).isEqualTo(1);
        assertThat(ledger.find("old")).isEmpty();
        assertThat(ledger.history("old")).isEmpty();
        assertThat(ledger.find("running")).isPresent();
        assertThat(ledger.find("recent")).isPresent();
    }

    @Test
    void knowsNothingOfAnIdItNeverSaw() {
        assertThat(ledger.find("never")).isEmpty();
    }

    @Test
    void forgetsAnAcceptedTaskWhosePublishFailed() {
        ledger.recordSubmitted(
                new TaskLedger.Submitted("f-1", "demo.add", "default", "[]", "{}", null, "f-1", null, null));
        ledger.forgetUnpublished("f-1");
        assertThat(ledger.find("f-1")).isEmpty();
    }

    @Test
    void takesEtaAndExpiresFromTheEventsOfATaskSentOutsideTheApi() {
        String id = "sent-by-a-client";
        ledger.apply(List.of(new TaskEvent.Received(
                at(1),
                id,
                "py.add",
                "[1, 1]",
                "{}",
                0,
                "2030-01-02T03:04:05.678000+00:00",
                id,
                null,
                Map.of("expires", "2030-01-03T00:00:00+00:00"))));

        TaskRecord record = ledger.find(id).orElseThrow();
        assertThat(record.eta()).isEqualTo(java.time.Instant.parse("2030-01-02T03:04:05.678Z"));
        assertThat(record.expires()).isEqualTo(java.time.Instant.parse("2030-01-03T00:00:00Z"));

        ledger.apply(List.of(new TaskEvent.Received(
                at(2), "badly-timed", "py.add", "[]", "{}", 0, "not a time", "badly-timed", null, Map.of())));
        assertThat(ledger.find("badly-timed").orElseThrow().eta()).isNull();
    }
}
