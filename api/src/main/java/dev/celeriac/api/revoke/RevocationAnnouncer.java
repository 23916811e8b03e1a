package dev.celeriac.api.revoke;

import dev.celeriac.api.internal.Periodic;
import dev.celeriac.producer.amqp.RevocationPublisher;
import dev.celeriac.protocol.control.Revoke;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Keeps revocations alive for as long as their tasks can still arrive. Each announcement on the revocation stream
 * tells workers to remember the revocation for the {@code horizon}; within a quarter of it, every revocation whose
 * task has not finished in the ledger (nor expired) is announced again. A worker that reads the stream's last quarter
 * of a horizon when it starts (its {@code celeriac.worker.revocation-retention}, a day by default) therefore knows
 * every revocation still needed, however far off its task's ETA, and forgets those no longer needed within a horizon.
 *
 * <p>The announcer looks for due revocations every {@link #check()}, so a revocation is due once its last
 * announcement is older than a quarter horizon less one check: otherwise it could wait up to a check longer than the
 * quarter, and a worker reading back only the quarter would miss it.
 */
public final class RevocationAnnouncer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RevocationAnnouncer.class);

    /** How often due revocations are looked for, at most. */
    static final Duration CHECK = Duration.ofSeconds(30);

    /** Task ids per announcement message. */
    static final int PER_MESSAGE = 500;

    private final RevocationStore store;
    private final Consumer<Revoke> publisher;
    private final Duration horizon;
    private final Clock clock;
    private final Periodic periodic;

    /**
     * @param publisher publishes an announcement on the revocation stream, confirmed
     *     ({@link RevocationPublisher#publish})
     */
    public RevocationAnnouncer(RevocationStore store, Consumer<Revoke> publisher, Duration horizon, Clock clock) {
        this.store = store;
        this.publisher = publisher;
        this.horizon = horizon;
        this.clock = clock;
        // Looked at often, so that a revocation whose first publish failed goes out soon; announced again only when
        // due.
        Duration every = check();
        this.periodic = new Periodic(
                "celeriac-revocations",
                every,
                every,
                this::runOnce,
                // Claimed but not published: announced on the next round's claim a quarter horizon later at the
                // latest, while workers still hold the previous announcement.
                e -> log.warn(
                        "could not announce revocations again; looking again in {}, and any it had claimed go out"
                                + " within {}: {}",
                        every,
                        interval(),
                        e.toString()));
    }

    /** Until when workers must remember a revocation announced now. */
    public Instant holdUntil() {
        return clock.instant().plus(horizon);
    }

    /** The longest time between two announcements of a revocation still needed: a quarter of the horizon. */
    public Duration interval() {
        return horizon.dividedBy(4);
    }

    /** How often due revocations are looked for: half the interval, and at least every {@link #CHECK}. */
    public Duration check() {
        Duration half = interval().dividedBy(2);
        Duration check = half.compareTo(CHECK) < 0 ? half : CHECK;
        return check.isPositive() ? check : Duration.ofMillis(1); // a horizon of a few milliseconds
    }

    /**
     * Announces again every revocation that is due.
     *
     * @return how many were announced
     */
    public int runOnce() {
        int announced = 0;
        while (true) {
            Instant now = clock.instant();
            // Due if it would be older than the interval by the next check.
            Instant announcedBefore = now.minus(interval()).plus(check());
            List<RevocationStore.Revocation> due = store.due(announcedBefore, now.minus(horizon), now, PER_MESSAGE);
            var terminating = new ArrayList<String>();
            var plain = new ArrayList<String>();
            for (RevocationStore.Revocation revocation : due) {
                if (store.claimAnnouncement(revocation.taskId(), announcedBefore, now)) {
                    (revocation.terminate() ? terminating : plain).add(revocation.taskId());
                }
            }
            Instant until = now.plus(horizon);
            if (!plain.isEmpty()) {
                publisher.accept(new Revoke(plain, false, null, until));
            }
            if (!terminating.isEmpty()) {
                publisher.accept(new Revoke(terminating, true, null, until));
            }
            announced += plain.size() + terminating.size();
            if (due.size() < PER_MESSAGE) {
                if (announced > 0) {
                    log.info("announced {} revocations again, to be held until {}", announced, until);
                }
                return announced;
            }
        }
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
