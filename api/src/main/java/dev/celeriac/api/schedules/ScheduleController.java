package dev.celeriac.api.schedules;

import dev.celeriac.api.internal.ledger.TaskRecord;
import dev.celeriac.api.internal.schedule.FireStore;
import dev.celeriac.api.internal.schedule.Schedule;
import dev.celeriac.api.internal.schedule.ScheduleStore;
import dev.celeriac.api.problems.Problems;
import dev.celeriac.api.query.TaskView;
import dev.celeriac.api.submit.SubmitPreparer;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /api/v1/schedules}: periodic tasks. Create ({@code POST}, or {@code PUT} by id, which replaces a schedule
 * that exists), list with their next and last fire times, pause, resume, trigger now, read a schedule's fires with
 * the state of each task, and delete.
 */
@RestController
@RequestMapping("/api/v1/schedules")
public class ScheduleController {

    /** Most fires one page shows. */
    static final int MAX_FIRES = 1000;

    private final ScheduleStore schedules;
    private final FireStore fires;
    private final ScheduleDefinitions definitions;
    private final Scheduler scheduler;
    private final TransactionTemplate transactions;
    private final JsonMapper json;
    private final Clock clock;

    public ScheduleController(
            ScheduleStore schedules,
            FireStore fires,
            ScheduleDefinitions definitions,
            Scheduler scheduler,
            TransactionTemplate transactions,
            JsonMapper json,
            Clock clock) {
        this.schedules = schedules;
        this.fires = fires;
        this.definitions = definitions;
        this.scheduler = scheduler;
        this.transactions = transactions;
        this.json = json;
        this.clock = clock;
    }

    @GetMapping
    public Map<String, List<ScheduleView>> list() {
        return Map.of(
                "schedules", schedules.list().stream().map(ScheduleView::of).toList());
    }

    @GetMapping("/{id}")
    public ScheduleView get(@PathVariable String id) {
        return ScheduleView.of(find(id));
    }

    /** Creates a schedule; 409 if one with its id exists ({@code PUT} replaces one). */
    @PostMapping
    public ResponseEntity<ScheduleView> create(@RequestBody ScheduleRequest request) {
        if (request == null || request.id() == null) {
            throw Problems.badRequest("'id' is required: a stable name for the schedule, e.g. nightly-report");
        }
        checkId(request.id());
        Instant now = now();
        Schedule.Definition definition = definitions.read(request, ScheduleDefinitions.Names.REGISTERED, now);
        if (!schedules.add(request.id(), definition, paused(request), Schedule.Origin.API, now)) {
            throw Problems.problem(
                    HttpStatus.CONFLICT,
                    "schedule-exists",
                    "Schedule exists",
                    "a schedule with the id '" + request.id() + "' exists; PUT /api/v1/schedules/" + request.id()
                            + " replaces it");
        }
        scheduler.wake();
        return ResponseEntity.created(URI.create("/api/v1/schedules/" + request.id()))
                .body(ScheduleView.of(find(request.id())));
    }

    /**
     * Creates or replaces the schedule with this id. A replaced schedule keeps its fires, and its next slot is
     * counted from now.
     */
    @PutMapping("/{id}")
    public ResponseEntity<ScheduleView> put(@PathVariable String id, @RequestBody ScheduleRequest request) {
        checkId(id);
        if (request != null && request.id() != null && !request.id().equals(id)) {
            throw Problems.invalid("the body's 'id' (" + request.id() + ") is not the path's (" + id + ")");
        }
        Instant now = now();
        Schedule.Definition definition = definitions.read(request, ScheduleDefinitions.Names.REGISTERED, now);
        boolean created = transactions.execute(status -> {
            if (schedules.redefine(id, definition, Schedule.Origin.API, now)) {
                if (request.paused() != null) {
                    pauseOrResume(id, request.paused(), now);
                }
                return false;
            }
            return schedules.add(id, definition, paused(request), Schedule.Origin.API, now);
        });
        scheduler.wake();
        ScheduleView view = ScheduleView.of(find(id));
        return created
                ? ResponseEntity.created(URI.create("/api/v1/schedules/" + id)).body(view)
                : ResponseEntity.ok(view);
    }

    @PostMapping("/{id}/pause")
    public ScheduleView pause(@PathVariable String id) {
        return pauseOrResume(id, true, now());
    }

    /** Resumes a paused schedule from its next slot after now: the slots that passed while it was paused do not fire. */
    @PostMapping("/{id}/resume")
    public ScheduleView resume(@PathVariable String id) {
        ScheduleView view = pauseOrResume(id, false, now());
        scheduler.wake();
        return view;
    }

    /** Fires the schedule once now, outside its slots, and answers with its task (202, as a submit). */
    @PostMapping("/{id}/trigger")
    public ResponseEntity<TaskView> trigger(@PathVariable String id) {
        TaskRecord task = scheduler.trigger(find(id));
        return ResponseEntity.accepted()
                .location(URI.create("/api/v1/tasks/" + task.id()))
                .body(TaskView.of(task, json));
    }

    /** The schedule's latest fires, newest first, each with its task's state. */
    @GetMapping("/{id}/fires")
    public Map<String, List<FireStore.Fire>> fires(
            @PathVariable String id,
            @RequestParam(defaultValue = "100") int limit,
            @RequestParam(required = false) String before) {
        find(id);
        if (limit < 1 || limit > MAX_FIRES) {
            throw Problems.invalid("'limit' must be 1 to " + MAX_FIRES + ", was " + limit);
        }
        Instant until = before == null ? null : SubmitPreparer.time("before", before);
        return Map.of("fires", fires.recent(id, until, limit));
    }

    /** Deletes a schedule and its fires; the tasks it fired stay in the ledger. */
    @DeleteMapping("/{id}")
    public ResponseEntity<Void> delete(@PathVariable String id) {
        boolean removed = transactions.execute(status -> {
            // The schedule first: its row lock waits for a fire under way, whose row the fires' removal then sees.
            boolean existed = schedules.remove(id);
            fires.forget(id);
            return existed;
        });
        if (!removed) {
            throw Problems.scheduleNotFound(id);
        }
        return ResponseEntity.noContent().build();
    }

    private ScheduleView pauseOrResume(String id, boolean paused, Instant now) {
        Schedule schedule = find(id);
        if (schedule.paused() != paused) {
            if (paused) {
                schedules.pause(id, now);
            } else {
                schedules.resume(id, schedule.definition().firstSlot(now).orElse(null), now);
            }
        }
        return ScheduleView.of(find(id));
    }

    private Schedule find(String id) {
        return schedules.find(id).orElseThrow(() -> Problems.scheduleNotFound(id));
    }

    private static void checkId(String id) {
        String problem = ScheduleDefinitions.idProblem(id);
        if (problem != null) {
            throw Problems.invalid(problem);
        }
    }

    private static boolean paused(ScheduleRequest request) {
        return Boolean.TRUE.equals(request.paused());
    }

    private Instant now() {
        return clock.instant();
    }
}
