package dev.celeriac.api.internal;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A job the API runs again and again on a daemon thread of its own, a fixed delay after each run ends. A run that
 * fails is handed to {@code failed} and the next one comes as usual: the periodic jobs (the outbox relay, the
 * ledger's cleanup, the revocation announcer) all mend on a later run what one could not do.
 */
public final class Periodic {

    private final String thread;
    private final Duration firstAfter;
    private final Duration every;
    private final Runnable job;
    private final Consumer<RuntimeException> failed;
    private ScheduledExecutorService scheduler;

    public Periodic(
            String thread, Duration firstAfter, Duration every, Runnable job, Consumer<RuntimeException> failed) {
        this.thread = thread;
        this.firstAfter = firstAfter;
        this.every = every;
        this.job = job;
        this.failed = failed;
    }

    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name(thread).daemon().factory());
        scheduler.scheduleWithFixedDelay(
                () -> {
                    try {
                        job.run();
                    } catch (RuntimeException e) {
                        failed.accept(e);
                    }
                },
                firstAfter.toMillis(),
                every.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Stops at once; a run under way is interrupted. */
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
