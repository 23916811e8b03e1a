package dev.celeriac.api.overview;

import dev.celeriac.api.internal.SharedReading;
import dev.celeriac.api.internal.ledger.TaskStore;
import dev.celeriac.api.queues.QueueStatistics;
import dev.celeriac.api.workers.WorkerRegistry;
import dev.celeriac.protocol.state.TaskState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/overview}: the last hour at a glance, as the dashboard's first page shows it: the tasks submitted
 * in it by state and by minute, their failure rate, every work queue, and the workers alive. The ledger's part is
 * read at most every {@link #SHARED_FOR}, however many people watch.
 */
@RestController
@RequestMapping("/api/v1/overview")
public class OverviewController {

    /** The span the overview covers. */
    static final Duration WINDOW = Duration.ofHours(1);

    /** How long one reading of the ledger is shared between requests. */
    static final Duration SHARED_FOR = Duration.ofSeconds(5);

    /**
     * @param states tasks submitted in the window, by the state they are in now
     * @param minutes per minute of the window, oldest first (minutes with no task left out)
     * @param failureRate of the tasks of the window that finished, the share that failed (0 with none finished)
     * @param workersAlive workers whose heartbeat is recent
     * @param workersKnown every worker the ledger has heard of
     * @param eventBacklog events waiting for the ledger's recorder
     */
    public record Overview(
            Instant at,
            Instant since,
            Map<TaskState, Long> states,
            List<Minute> minutes,
            double failureRate,
            List<QueueStatistics.QueueView> queues,
            int workersAlive,
            int workersKnown,
            long eventBacklog) {}

    /** The tasks submitted in one minute, and how many of those have succeeded and failed so far. */
    public record Minute(Instant minute, long submitted, long succeeded, long failed) {}

    private record Ledger(Instant at, Instant since, Map<TaskState, Long> states, List<Minute> minutes) {}

    private final TaskStore tasks;
    private final QueueStatistics queues;
    private final WorkerRegistry workers;
    private final SharedReading<Ledger> ledger;

    public OverviewController(TaskStore tasks, QueueStatistics queues, WorkerRegistry workers, Clock clock) {
        this.tasks = tasks;
        this.queues = queues;
        this.workers = workers;
        this.ledger = new SharedReading<>(SHARED_FOR, clock, this::readLedger);
    }

    @GetMapping
    public Overview overview() {
        Ledger ledger = this.ledger.get();
        long succeeded = ledger.states().getOrDefault(TaskState.SUCCESS, 0L);
        long failed = ledger.states().getOrDefault(TaskState.FAILURE, 0L);
        QueueStatistics.Snapshot snapshot = queues.read();
        return new Overview(
                ledger.at(),
                ledger.since(),
                ledger.states(),
                ledger.minutes(),
                succeeded + failed == 0 ? 0 : (double) failed / (succeeded + failed),
                snapshot.queues(),
                snapshot.workersUp(),
                workers.all().size(),
                snapshot.eventBacklog());
    }

    private Ledger readLedger(Instant now) {
        Instant since = now.minus(WINDOW).truncatedTo(ChronoUnit.MINUTES);
        var states = new EnumMap<TaskState, Long>(TaskState.class);
        var minutes = new TreeMap<Instant, long[]>();
        for (TaskStore.MinuteCount count : tasks.minutesSince(since)) {
            states.merge(count.state(), count.tasks(), Long::sum);
            long[] minute = minutes.computeIfAbsent(count.minute(), m -> new long[3]);
            minute[0] += count.tasks();
            if (count.state() == TaskState.SUCCESS) {
                minute[1] += count.tasks();
            } else if (count.state() == TaskState.FAILURE) {
                minute[2] += count.tasks();
            }
        }
        List<Minute> perMinute = minutes.entrySet().stream()
                .map(e -> new Minute(e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2]))
                .toList();
        return new Ledger(now, since, Map.copyOf(states), perMinute);
    }
}
