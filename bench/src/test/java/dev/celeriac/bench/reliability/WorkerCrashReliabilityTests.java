package dev.celeriac.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.celeriac.bench.stack.JavaProcess;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenarios 1 and 2 of the reliability suite: one of two worker JVMs is stopped half-way through a run, by SIGKILL
 * (a crash) or by SIGTERM (a supervisor's stop). Every accepted task must end SUCCESS, none may stay STARTED.
 */
class WorkerCrashReliabilityTests {

    private static final int TASKS = 2_000;
    private static final int POOL = 8;
    private static final int PREFETCH = POOL + 1;
    private static final String CONCURRENCY = "--celeriac.worker.queues.default.concurrency=" + POOL;

    @TempDir
    static Path logs;

    /** Only the tasks the killed worker held may run twice: at most its prefetch (pool 8 + lookahead 1). */
    @Test
    void sigkillOfOneWorkerLosesNothingAndRerunsAtMostItsPrefetch() throws Exception {
        try (var trial = Trial.start("crash", logs)) {
            var stack = trial.stack();
            stack.api();
            JavaProcess victim = stack.worker("victim", List.of(), CONCURRENCY);
            stack.worker("survivor", List.of(), CONCURRENCY);
            TaskClient client = stack.producer(true).getBean(TaskClient.class);
            trial.watch();

            trial.submit(client, TASKS, () -> TaskRequest.of("demo.sleep", 20));
            assertThat(trial.acceptedCount()).isEqualTo(TASKS);
            awaitSucceeded(trial, TASKS / 2);
            victim.kill();
            long killedAt = trial.count("SUCCESS");

            trial.awaitAllTerminal(Duration.ofMinutes(3));
            trial.report("worker SIGKILL", "killed at %d done; bound of ran twice %d".formatted(killedAt, PREFETCH));
            trial.assertNothingLost();
            assertThat(trial.states()).containsExactly(Map.entry("SUCCESS", (long) TASKS));
            assertThat(trial.ranTwice()).isLessThanOrEqualTo(PREFETCH);
        }
    }

    /**
     * A SIGTERM drains: the stopped worker hands its prefetched messages back at once and lets running tasks finish
     * within its grace; a task still running when the grace ends goes back too. Only those may run twice.
     */
    @Test
    void sigtermOfOneWorkerFinishesOrHandsBackWhatItHeld() throws Exception {
        try (var trial = Trial.start("shutdown", logs)) {
            var stack = trial.stack();
            stack.api();
            JavaProcess victim = stack.worker("victim", List.of(), CONCURRENCY, "--celeriac.worker.shutdown-grace=2s");
            stack.worker("survivor", List.of(), CONCURRENCY);
            TaskClient client = stack.producer(true).getBean(TaskClient.class);
            trial.watch();

            // Mostly short tasks, and every 50th one longer than the stopped worker's grace.
            int[] n = {0};
            trial.submit(client, TASKS, () -> TaskRequest.of("demo.sleep", n[0]++ % 50 == 0 ? 4_000 : 20));
            awaitSucceeded(trial, TASKS / 2);
            long stopping = System.nanoTime();
            int exit = victim.terminate();
            Duration stopped = Duration.ofNanos(System.nanoTime() - stopping);
            long stoppedAt = trial.count("SUCCESS");

            trial.awaitAllTerminal(Duration.ofMinutes(3));
            trial.report(
                    "worker SIGTERM",
                    "stopped at %d done, exit %d after %d ms (grace 2 s)"
                            .formatted(stoppedAt, exit, stopped.toMillis()));
            trial.assertNothingLost();
            assertThat(exit).isZero();
            assertThat(trial.states()).containsExactly(Map.entry("SUCCESS", (long) TASKS));
            // A long task cut by the grace runs again; a short one had time to finish.
            assertThat(trial.ranTwice()).isLessThanOrEqualTo(POOL);
        }
    }

    private static void awaitSucceeded(Trial trial, long count) {
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> trial.count("SUCCESS") >= count);
    }
}
