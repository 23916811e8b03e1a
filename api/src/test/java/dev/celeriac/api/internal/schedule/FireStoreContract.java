package dev.celeriac.api.internal.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.api.internal.ledger.TestLedgers;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the fire store promises a pause and a removal, on every database the ledger runs on: a fire under way when a
 * schedule is paused (or removed) commits before the pause does, and a fire that comes after finds the schedule
 * paused (or gone), even one that had to wait for the pause. Each case is made to happen: a transaction is held open
 * at the point where the other must wait, and the test goes on once the database shows that other one waiting.
 */
abstract class FireStoreContract {

    private static final String SCHEDULE = "every-second";
    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    /** A fresh, empty database for one test. */
    abstract DataSource freshDatabase();

    /** How many of this database's sessions wait for a lock another holds. */
    abstract int sessionsWaitingForALock(JdbcTemplate jdbc);

    private JdbcTemplate jdbc;
    private ScheduleStore schedules;
    private FireStore fires;
    private TransactionTemplate transactions;
    /** A thread for each transaction that waits: the common pool may have one thread only. */
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @BeforeEach
    void migrate() {
        DataSource dataSource = freshDatabase();
        TestLedgers.migrate(dataSource);
        jdbc = new JdbcTemplate(dataSource);
        var client = JdbcClient.create(jdbc);
        schedules = new ScheduleStore(client, JsonMapper.builder().build());
        fires = new FireStore(client);
        transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        var definition = new Schedule.Definition(
                new Trigger.Every(Duration.ofSeconds(1), NOW),
                new TaskTemplate("demo.add", List.of(2, 3), Map.of(), null, null, null, null),
                MissedPolicy.RUN_EACH,
                null,
                OverlapPolicy.ALLOW);
        assertThat(schedules.add(SCHEDULE, definition, false, Schedule.Origin.API, NOW))
                .isTrue();
    }

    @Test
    void aPauseWaitsForAFireUnderWayAndNoSlotOfItsOwnFiresAfterIt() throws Exception {
        var firing =
                new Held(() -> assertThat(fires.claim(List.of(fired(0)), NOW)).isEmpty());
        firing.awaitHolding();

        var pause = CompletableFuture.supplyAsync(() -> schedules.pause(SCHEDULE, NOW), threads);
        awaitOneWaiting();
        firing.commit();
        assertThat(pause.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        // What the pause answered after: the fire under way, committed.
        assertThat(slots()).containsExactly(slot(0));

        assertThat(inTransaction(() -> fires.claim(List.of(fired(1)), NOW)))
                .as("a slot of its own, after the pause")
                .containsExactly(fired(1));
        var byHand = new FireStore.Claim(SCHEDULE, slot(2), "task-2", FireStore.Outcome.TRIGGERED);
        assertThat(inTransaction(() -> fires.claim(List.of(byHand), NOW)))
                .as("a fire by hand, after the pause")
                .isEmpty();
        assertThat(slots()).containsExactly(slot(0), slot(2));
    }

    @Test
    void aFireThatWaitedForAPauseFindsTheSchedulePaused() throws Exception {
        var pausing = new Held(() -> assertThat(schedules.pause(SCHEDULE, NOW)).isTrue());
        pausing.awaitHolding();

        var firing =
                CompletableFuture.supplyAsync(() -> inTransaction(() -> fires.claim(List.of(fired(0)), NOW)), threads);
        awaitOneWaiting();
        pausing.commit();
        assertThat(firing.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).containsExactly(fired(0));
        assertThat(slots()).isEmpty();

        // Resumed, it fires again.
        assertThat(schedules.resume(SCHEDULE, slot(1), NOW)).isTrue();
        assertThat(inTransaction(() -> fires.claim(List.of(fired(1)), NOW))).isEmpty();
        assertThat(slots()).containsExactly(slot(1));
    }

    @Test
    void aRemovalWaitsForAFireUnderWayAndForgetsItsSlotToo() throws Exception {
        var firing =
                new Held(() -> assertThat(fires.claim(List.of(fired(0)), NOW)).isEmpty());
        firing.awaitHolding();

        var removal = CompletableFuture.supplyAsync(
                () -> inTransaction(() -> {
                    boolean existed = schedules.remove(SCHEDULE);
                    fires.forget(SCHEDULE);
                    return existed;
                }),
                threads);
        awaitOneWaiting();
        firing.commit();
        assertThat(removal.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(slots()).isEmpty();
        assertThat(inTransaction(() -> fires.claim(List.of(fired(1)), NOW))).containsExactly(fired(1));
        assertThat(slots()).isEmpty();
    }

    private static Instant slot(int n) {
        return NOW.plus(n, ChronoUnit.SECONDS);
    }

    private static FireStore.Claim fired(int n) {
        return new FireStore.Claim(SCHEDULE, slot(n), "task-" + n, FireStore.Outcome.FIRED);
    }

    /** The schedule's slots dealt with, in order, as committed. */
    private List<Instant> slots() {
        return jdbc
                .queryForList(
                        "SELECT slot FROM schedule_fires WHERE schedule_id = ? ORDER BY slot",
                        Timestamp.class,
                        SCHEDULE)
                .stream()
                .map(Timestamp::toInstant)
                .toList();
    }

    private <T> T inTransaction(Supplier<T> work) {
        return transactions.execute(status -> work.get());
    }

    private void awaitOneWaiting() {
        await().atMost(PATIENCE).until(() -> sessionsWaitingForALock(jdbc) == 1);
    }

    /** A transaction that does its work, then stays open until told to commit. */
    private final class Held {

        private final CountDownLatch holding = new CountDownLatch(1);
        private final CountDownLatch commit = new CountDownLatch(1);
        private final CompletableFuture<Void> done;

        Held(Runnable work) {
            done = CompletableFuture.runAsync(
                    () -> transactions.executeWithoutResult(status -> {
                        work.run();
                        holding.countDown();
                        try {
                            if (!commit.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                                throw new IllegalStateException("never told to commit");
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException(e);
                        }
                    }),
                    threads);
        }

        void awaitHolding() throws Exception {
            if (!holding.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                done.get(1, TimeUnit.SECONDS); // its failure, if it failed
                throw new AssertionError("the held transaction never did its work");
            }
        }

        void commit() throws Exception {
            commit.countDown();
            done.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }
    }
}
