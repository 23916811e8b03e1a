package dev.celeriac.api.internal.retention;

import dev.celeriac.api.internal.Periodic;
import dev.celeriac.api.internal.idempotency.IdempotencyStore;
import dev.celeriac.api.internal.ledger.TaskStore;
import dev.celeriac.api.internal.schedule.FireStore;
import dev.celeriac.api.revoke.RevocationStore;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Removes finished tasks (with their results and history) and idempotency keys from the ledger once they are older
 * than the retention, and revocations once no worker can need them.
 */
public final class LedgerCleanup implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(LedgerCleanup.class);

    private final TaskStore tasks;
    private final IdempotencyStore keys;
    private final RevocationStore revocations;
    private final FireStore fires;
    private final Duration retention;
    private final Duration revocationHorizon;
    private final Duration every;
    private final Clock clock;
    private final Periodic periodic;

    public LedgerCleanup(
            TaskStore tasks,
            IdempotencyStore keys,
            RevocationStore revocations,
            FireStore fires,
            Duration retention,
            Duration revocationHorizon,
            Duration every,
            Clock clock) {
        this.tasks = tasks;
        this.keys = keys;
        this.revocations = revocations;
        this.fires = fires;
        this.retention = retention;
        this.revocationHorizon = revocationHorizon;
        this.every = every;
        this.clock = clock;
        this.periodic = new Periodic(
                "celeriac-ledger-cleanup",
                every,
                every,
                this::runOnce,
                e -> log.warn("ledger cleanup failed; it runs again in {}: {}", every, e.toString()));
    }

    /**
     * Runs one cleanup now.
     *
     * @return how many tasks were removed
     */
    public int runOnce() {
        var now = clock.instant();
        int removed = tasks.expire(now.minus(retention));
        keys.expire(now.minus(retention));
        revocations.expire(now.minus(revocationHorizon));
        fires.expire(now.minus(retention));
        if (removed > 0) {
            log.info("removed {} tasks that finished more than {} ago", removed, retention);
        }
        return removed;
    }

    @Override
    public void start() {
        periodic.start();
    }

    @Override
    public void stop() {
        periodic.stop();
    }

    @Override
    public boolean isRunning() {
        return periodic.isRunning();
    }
}
