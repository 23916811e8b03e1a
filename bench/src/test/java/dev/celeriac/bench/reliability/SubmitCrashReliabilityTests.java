package dev.celeriac.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.bench.stack.JavaProcess;
import dev.celeriac.bench.stack.Stack;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 12 of the reliability suite: the API is killed (SIGKILL) three times during bursts of REST submits, each
 * once it has accepted 100 tasks, and started again. Clients do what a careful client does: a submit that got no answer is sent again with the same
 * {@code Idempotency-Key} until it is answered. Every task a client was told is accepted must reach a terminal state,
 * and no ledger row may stay PENDING: a task recorded but not yet published when its API died is published by the
 * next API's outbox relay, or by the retry itself.
 */
class SubmitCrashReliabilityTests {

    private static final String[] API = {
        "--celeriac.api.outbox-grace=3s", "--celeriac.api.outbox-interval=1s", "--celeriac.producer.confirm-timeout=2s"
    };

    /** Tasks each API instance accepts before it is killed, and the last one before the clients stop. */
    private static final int BURST = 100;

    /**
     * How long a burst may take: it does not measure speed, and a machine running four scenarios at once has started an
     * API in a minute and more.
     */
    private static final Duration ACCEPT_WITHIN = Duration.ofMinutes(5);

    @TempDir
    static Path logs;

    @Test
    void anApiKilledDuringRestSubmitsLeavesNoAcceptedTaskUnfinishedAndNoRowPending() throws Exception {
        try (var trial = Trial.start("submit-crash", logs)) {
            Stack stack = trial.stack();
            var api = new AtomicReference<JavaProcess>(stack.api(API));
            var rest = new AtomicReference<Rest>(new Rest(api.get(), Stack.API_KEY));
            stack.worker("w1", List.of(), "--celeriac.worker.queues.default.concurrency=16");
            stack.worker("w2", List.of(), "--celeriac.worker.queues.default.concurrency=16");
            trial.watch();

            var running = new AtomicBoolean(true);
            var answers = new ConcurrentHashMap<Integer, AtomicInteger>();
            var unanswered = new AtomicInteger();
            var retriedThenAccepted = new AtomicInteger();
            int kills = 3;
            var clients = new ArrayList<Future<?>>();
            try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 0; c < 24; c++) {
                    clients.add(threads.submit(() -> {
                        while (running.get()) {
                            submitUntilAnswered(trial, rest, answers, unanswered, retriedThenAccepted);
                        }
                        return null;
                    }));
                }
                // Each kill comes once the API has taken a burst of its own, however fast this machine is today: the
                // clients are then mid-submit, never waiting for an API still starting.
                for (int kill = 0; kill < kills; kill++) {
                    awaitAccepted(trial, BURST, clients);
                    api.get().kill();
                    Thread.sleep(1_000); // clients meet a refused connection, and keep their keys
                    api.set(stack.api(API));
                    rest.set(new Rest(api.get(), Stack.API_KEY));
                }
                awaitAccepted(trial, BURST, clients);
                running.set(false);
            }
            trial.awaitAllTerminal(Duration.ofMinutes(2));
            long pendingRows = pendingRows(trial);

            var statuses = new TreeMap<Integer, Integer>();
            answers.forEach((status, n) -> statuses.put(status, n.get()));
            trial.report(
                    "API killed during REST submits",
                    "kills %d, answers %s, sends with no answer %d, accepted only on a retry %d, PENDING rows %d"
                            .formatted(kills, statuses, unanswered.get(), retriedThenAccepted.get(), pendingRows));
            trial.assertNothingLost();
            assertThat(unanswered.get()).as("submits the kills cut off").isPositive();
            assertThat(pendingRows).isZero();
            assertThat(trial.states()).containsOnlyKeys("SUCCESS");
            assertThat(statuses.keySet()).allMatch(status -> status == 202 || status == 503 || status == 409);
        }
    }

    /**
     * One client's submit of a new task: sent, and sent again with the same key after no answer, a 503 or a 409
     * (the first request still in flight), until it is answered 202. It gives up only after {@link #ACCEPT_WITHIN}:
     * a bound by attempts ran out while a slow machine started the next API, and every client stopped.
     */
    private static void submitUntilAnswered(
            Trial trial,
            AtomicReference<Rest> rest,
            Map<Integer, AtomicInteger> answers,
            AtomicInteger unanswered,
            AtomicInteger retriedThenAccepted)
            throws InterruptedException {
        String key = UUID.randomUUID().toString();
        String body = Rest.task("demo.sleep", "[20]");
        long deadline = System.nanoTime() + ACCEPT_WITHIN.toNanos();
        for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
            HttpResponse<String> response;
            try {
                response = rest.get().post("/api/v1/tasks", body, key);
            } catch (UncheckedIOException e) {
                unanswered.incrementAndGet();
                Thread.sleep(100);
                continue;
            }
            answers.computeIfAbsent(response.statusCode(), s -> new AtomicInteger())
                    .incrementAndGet();
            if (response.statusCode() == 202) {
                trial.accepted(Rest.json(response).get("id").asString());
                if (attempt > 0) {
                    retriedThenAccepted.incrementAndGet();
                }
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(
                "a submit was not answered 202 within " + ACCEPT_WITHIN.toMinutes() + " min: " + key);
    }

    /**
     * Waits until {@code more} tasks have been accepted from now on. If they are not, says why: what each client that
     * stopped failed with, and the run's diagnosis (a client's failure would otherwise go with its thread).
     */
    private static void awaitAccepted(Trial trial, int more, List<Future<?>> clients) {
        int target = trial.acceptedCount() + more;
        try {
            await().atMost(ACCEPT_WITHIN)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() ->
                            trial.acceptedCount() >= target || clients.stream().allMatch(Future::isDone));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(notAccepted(trial, target, clients), e);
        }
        if (trial.acceptedCount() < target) {
            throw new AssertionError(notAccepted(trial, target, clients));
        }
    }

    private static String notAccepted(Trial trial, int target, List<Future<?>> clients) {
        var stopped = new StringBuilder();
        for (Future<?> client : clients) {
            if (client.state() == Future.State.FAILED) {
                stopped.append("  a client stopped: ")
                        .append(client.exceptionNow())
                        .append('\n');
            }
        }
        return "accepted %d of the %d awaited%n%s%s"
                .formatted(trial.acceptedCount(), target, stopped, trial.diagnosis());
    }

    /** Rows of the ledger still PENDING, accepted by a client or not. */
    private static long pendingRows(Trial trial) throws SQLException {
        try (var connection = trial.stack().ledger();
                var statement = connection.createStatement();
                var rows = statement.executeQuery("SELECT COUNT(*) FROM tasks WHERE state = 'PENDING'")) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
