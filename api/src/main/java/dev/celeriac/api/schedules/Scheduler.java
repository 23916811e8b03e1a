package dev.celeriac.api.schedules;

import dev.celeriac.api.internal.ledger.TaskRecord;
import dev.celeriac.api.internal.ledger.TaskStore;
import dev.celeriac.api.internal.schedule.FirePlan;
import dev.celeriac.api.internal.schedule.FireStore;
import dev.celeriac.api.internal.schedule.OverlapPolicy;
import dev.celeriac.api.internal.schedule.Schedule;
import dev.celeriac.api.internal.schedule.ScheduleStore;
import dev.celeriac.api.internal.schedule.TaskTemplate;
import dev.celeriac.api.revoke.TaskRevoker;
import dev.celeriac.api.submit.SubmitPipeline;
import dev.celeriac.api.submit.SubmitPreparer;
import dev.celeriac.api.submit.SubmitRequest;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Fires the schedules' slots. Every API instance runs one, and none leads: each wakes when the earliest slot comes
 * (or at least every poll interval, to see schedules other instances changed), plans the due slots of each schedule
 * ({@link FirePlan}) and submits one task per slot through the {@link SubmitPipeline} with the slot as its claim. The
 * transaction that records the task claims the slot, so of the instances that try a slot at once one fires it and
 * the others find it taken; the outbox publishes it if the instance stops before the broker confirmed it. A slot
 * whose task the broker refused is given back, and the schedule's cursor stays on it until it fires.
 */
public final class Scheduler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

    /** Most schedules dealt with in one round; the rest are due at once in the next. */
    static final int SCHEDULES_PER_ROUND = 500;

    /** Most slots of one schedule fired in one round (a {@code run-each} schedule catching up). */
    static final int FIRES_PER_ROUND = 100;

    /** How long a round waits for its submits; the pipeline answers within its confirm time-out. */
    private static final Duration SUBMIT_PATIENCE = Duration.ofSeconds(60);

    /**
     * @param poll longest wait between rounds, to see schedules other instances added or changed
     * @param lateAfter how late a slot may fire before it counts as missed ({@code skip})
     */
    public record Settings(boolean enabled, Duration poll, Duration lateAfter) {}

    private final ScheduleStore schedules;
    private final FireStore fires;
    private final TaskStore tasks;
    private final SubmitPipeline pipeline;
    private final SubmitPreparer preparer;
    private final TaskRevoker revoker;
    private final TransactionTemplate transactions;
    private final ScheduleMetrics metrics;
    private final Clock clock;
    private final Settings settings;
    private final ConfiguredSchedules configured;
    private final BlockingQueue<Boolean> wakeups = new LinkedBlockingQueue<>();
    private volatile boolean running;
    private Thread thread;

    public Scheduler(
            ScheduleStore schedules,
            FireStore fires,
            TaskStore tasks,
            SubmitPipeline pipeline,
            SubmitPreparer preparer,
            TaskRevoker revoker,
            TransactionTemplate transactions,
            MeterRegistry registry,
            Clock clock,
            Settings settings,
            ConfiguredSchedules configured) {
        this.schedules = schedules;
        this.fires = fires;
        this.tasks = tasks;
        this.pipeline = pipeline;
        this.preparer = preparer;
        this.revoker = revoker;
        this.transactions = transactions;
        this.metrics = new ScheduleMetrics(registry);
        this.clock = clock;
        this.settings = settings;
        this.configured = configured;
    }

    /** How late a slot may fire before it counts as missed. */
    public Duration lateAfter() {
        return settings.lateAfter();
    }

    /** Looks at the schedules again now: one was added or changed. */
    public void wake() {
        wakeups.offer(Boolean.TRUE);
    }

    /**
     * Fires a schedule once now, outside its slots ({@code POST /api/v1/schedules/{id}/trigger}).
     *
     * @return the task it submitted, as recorded
     */
    public TaskRecord trigger(Schedule schedule) {
        Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);
        for (int attempt = 0; ; attempt++) {
            var slot = new FireStore.Claim(
                    schedule.id(), at.plus(attempt, ChronoUnit.MICROS), newId(), FireStore.Outcome.TRIGGERED);
            try {
                TaskRecord task = await(pipeline.submit(preparer.prepareFire(request(schedule), slot)));
                schedules.fired(schedule.id(), slot.slot(), task.id());
                metrics.triggered(schedule.id());
                return task;
            } catch (SubmitPipeline.UnconfirmedException kept) {
                // Fired, and published again until the broker confirms it: recorded as fired, answered 503.
                schedules.fired(schedule.id(), slot.slot(), kept.taskId());
                metrics.triggered(schedule.id());
                throw kept.problem();
            } catch (SubmitPipeline.SlotTakenException taken) {
                if (attempt == 2) {
                    throw taken; // three slots at the same microsecond: something else is wrong
                }
            }
        }
    }

    private void run() {
        boolean upserted = configured.isEmpty();
        boolean failing = false;
        while (running) {
            Duration pause = settings.poll();
            try {
                if (!upserted) {
                    configured.upsert();
                    upserted = true;
                }
                if (round()) {
                    pause = untilNextSlot();
                }
                if (failing) {
                    failing = false;
                    log.info("the scheduler reads the schedules again");
                }
            } catch (RuntimeException e) {
                // Once per outage, not once per poll: the slots it could not fire are fired (or missed) after it.
                if (!failing) {
                    failing = true;
                    log.warn(
                            "the scheduler cannot read the schedules; it tries again every {}: {}",
                            settings.poll(),
                            e.toString());
                }
            }
            try {
                wakeups.poll(Math.max(1, pause.toMillis()), TimeUnit.MILLISECONDS);
                wakeups.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Deals with every due schedule; whether every one of them went as planned. All their slots are submitted
     * together (one transaction, one burst of confirms for a round, not one per schedule), and their cursors moved in
     * one transaction after.
     */
    boolean round() {
        Instant now = clock.instant();
        var planned = new ArrayList<Planned>();
        boolean clean = true;
        for (Schedule schedule : schedules.due(now, SCHEDULES_PER_ROUND)) {
            try {
                planned.add(plan(schedule, now));
            } catch (RuntimeException e) {
                clean = false;
                log.warn("schedule '{}' could not fire: {}", schedule.id(), e.toString());
            }
        }
        if (planned.isEmpty()) {
            return clean;
        }
        fire(planned);
        // In the order of their ids, as a fire locks them: two instances' transactions never wait for each other.
        planned.sort(Comparator.comparing(p -> p.schedule.id()));
        var moved = transactions.execute(status -> {
            var advanced = new ArrayList<Planned>();
            for (Planned p : planned) {
                if (p.lastFired != null) {
                    schedules.fired(p.schedule.id(), p.lastFired, p.lastTask);
                }
                Instant next = p.next();
                // Of the instances that planned the same slots, the one that moves the cursor counts the missed ones.
                if (!Objects.equals(next, p.schedule.nextSlot())
                        && schedules.advance(p.schedule.id(), p.schedule.nextSlot(), next)) {
                    advanced.add(p);
                }
            }
            return advanced;
        });
        if (moved != null) {
            moved.forEach(p -> metrics.missed(p.schedule.id(), p.plan.missed()));
        }
        return clean && planned.stream().allMatch(p -> p.unfired == null);
    }

    /** A due schedule with the slots it fires this round, and what became of them. */
    private static final class Planned {
        final Schedule schedule;
        final FirePlan plan;
        final List<Instant> slots;
        /** The first slot that did not fire: the cursor stays there. */
        Instant unfired;

        Instant lastFired;
        String lastTask;

        Planned(Schedule schedule, FirePlan plan, List<Instant> slots) {
            this.schedule = schedule;
            this.plan = plan;
            this.slots = slots;
        }

        Instant next() {
            return unfired != null ? unfired : plan.next().orElse(null);
        }
    }

    private Duration untilNextSlot() {
        Instant now = clock.instant();
        return schedules
                .earliest()
                .map(next -> Duration.between(now, next))
                .filter(wait -> wait.compareTo(settings.poll()) < 0)
                .map(wait -> wait.isNegative() ? Duration.ZERO : wait)
                .orElse(settings.poll());
    }

    /** Plans a due schedule's slots, and applies its overlap policy to them. */
    private Planned plan(Schedule schedule, Instant now) {
        Schedule.Definition definition = schedule.definition();
        FirePlan plan = FirePlan.of(
                definition.trigger(),
                schedule.nextSlot(),
                now,
                definition.missed(),
                definition.startingDeadline(),
                settings.lateAfter(),
                FIRES_PER_ROUND);
        List<Instant> slots = plan.fire();
        if (!slots.isEmpty() && definition.overlap() != OverlapPolicy.ALLOW && stillRunning(schedule.lastTaskId())) {
            if (definition.overlap() == OverlapPolicy.SKIP) {
                skip(schedule, slots, now);
                slots = List.of();
            } else {
                log.info(
                        "schedule '{}' replaces its run {} that has not finished",
                        schedule.id(),
                        schedule.lastTaskId());
                revoker.revoke(schedule.lastTaskId(), true);
            }
        }
        return new Planned(schedule, plan, slots);
    }

    /** Submits a task for every planned slot, all together, and notes what became of each. */
    private void fire(List<Planned> planned) {
        var submits = new ArrayList<SubmitPipeline.Submit>();
        var owners = new ArrayList<Planned>();
        var times = new ArrayList<Instant>();
        for (Planned p : planned) {
            SubmitRequest request = request(p.schedule);
            var prepared = new ArrayList<SubmitPipeline.Submit>(p.slots.size());
            try {
                for (Instant slot : p.slots) {
                    var claim = new FireStore.Claim(p.schedule.id(), slot, newId(), FireStore.Outcome.FIRED);
                    prepared.add(preparer.prepareFire(request, claim));
                }
            } catch (RuntimeException e) {
                // One schedule whose task cannot be sent keeps its cursor; the others fire.
                log.warn("schedule '{}' could not prepare its task: {}", p.schedule.id(), e.toString());
                p.unfired = p.slots.getFirst();
                continue;
            }
            submits.addAll(prepared);
            for (Instant slot : p.slots) {
                owners.add(p);
                times.add(slot);
            }
        }
        if (submits.isEmpty()) {
            return;
        }
        List<CompletableFuture<TaskRecord>> answers = pipeline.submitAll(submits);
        for (int i = 0; i < answers.size(); i++) {
            Planned p = owners.get(i);
            Instant slot = times.get(i);
            try {
                TaskRecord task = await(answers.get(i));
                metrics.fired(p.schedule.id(), Duration.between(slot, clock.instant()));
                p.lastFired = slot;
                p.lastTask = task.id();
            } catch (SubmitPipeline.SlotTakenException taken) {
                // Another instance fired it, or the schedule was paused or removed since this round planned it.
            } catch (SubmitPipeline.UnconfirmedException kept) {
                // Fired: its task and slot are recorded, and the outbox publishes it until the broker confirms it.
                // Firing the slot again would run it twice.
                metrics.fired(p.schedule.id(), Duration.between(slot, clock.instant()));
                p.lastFired = slot;
                p.lastTask = kept.taskId();
            } catch (RuntimeException e) {
                log.warn(
                        "slot {} of schedule '{}' did not fire, it is tried again: {}",
                        slot,
                        p.schedule.id(),
                        e.toString());
                if (p.unfired == null) {
                    p.unfired = slot;
                }
            }
        }
    }

    private void skip(Schedule schedule, List<Instant> slots, Instant now) {
        var claims = slots.stream()
                .map(slot -> new FireStore.Claim(schedule.id(), slot, null, FireStore.Outcome.SKIPPED))
                .toList();
        List<FireStore.Claim> taken = transactions.execute(status -> fires.claim(claims, now));
        int skipped = claims.size() - (taken == null ? 0 : taken.size());
        metrics.skipped(schedule.id(), skipped);
        log.info(
                "schedule '{}' skipped {} slot(s): its run {} has not finished",
                schedule.id(),
                skipped,
                schedule.lastTaskId());
    }

    private boolean stillRunning(String taskId) {
        return taskId != null
                && tasks.find(taskId).map(task -> !task.state().isTerminal()).orElse(false);
    }

    private static SubmitRequest request(Schedule schedule) {
        TaskTemplate task = schedule.definition().task();
        return new SubmitRequest(
                task.task(),
                task.args(),
                task.kwargs(),
                task.queue(),
                task.priority(),
                null,
                null,
                task.expires(),
                task.maxRetries());
    }

    private static String newId() {
        return UUID.randomUUID().toString();
    }

    private static TaskRecord await(CompletableFuture<TaskRecord> answer) {
        try {
            return answer.get(SUBMIT_PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the submit was not answered within " + SUBMIT_PATIENCE, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while firing", e);
        }
    }

    @Override
    public synchronized void start() {
        running = true;
        if (settings.enabled()) {
            thread = Thread.ofPlatform().name("celeriac-scheduler").daemon().start(this::run);
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (thread != null) {
            wake();
            try {
                // A round under way finishes: its submits are answered within the confirm time-out.
                if (!thread.join(Duration.ofSeconds(10))) {
                    thread.interrupt();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Starts after the submit pipeline and stops before it, so that no fire is cut off half-way. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 2048;
    }
}
