package dev.celeriac.api.ledger;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/** Removes finished tasks (and their results) from the ledger once they are older than the retention. */
public final class LedgerCleanup implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(LedgerCleanup.class);

    private final TaskLedger ledger;
    private final Duration retention;
    private final Duration every;
    private final Clock clock;
    private ScheduledExecutorService scheduler;

    public LedgerCleanup(TaskLedger ledger, Duration retention, Duration every, Clock clock) {
        this.ledger = ledger;
        this.retention = retention;
        this.every = every;
        this.clock = clock;
    }

    /** Runs one cleanup now. */
    public int runOnce() {
        int removed = ledger.expire(clock.instant().minus(retention));
        if (removed > 0) {
            log.info("removed {} tasks that finished more than {} ago", removed, retention);
        }
        return removed;
    }

    @Override
    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("celeriac-ledger-cleanup").daemon().factory());
        scheduler.scheduleWithFixedDelay(
                () -> {
                    try {
                        runOnce();
                    } catch (RuntimeException e) {
                        log.warn("ledger cleanup failed; it runs again in {}: {}", every, e.toString());
                    }
                },
                every.toMillis(),
                every.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }
}
