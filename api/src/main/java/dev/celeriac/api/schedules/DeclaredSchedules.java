package dev.celeriac.api.schedules;

import dev.celeriac.api.internal.schedule.Schedule;
import dev.celeriac.api.internal.schedule.ScheduleStore;
import dev.celeriac.protocol.event.ScheduleEvent;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.ErrorResponseException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The schedules workers declare ({@code @CeleriacSchedule}), as the recorder hears of them: each is read as
 * {@code POST /api/v1/schedules} reads a schedule and upserted with origin {@code worker}. One defined over REST or in
 * configuration under the same id is left as it is. A declaration the API cannot read is logged with its worker and
 * dropped: the worker checked it before sending, so only a worker of another version sends one.
 */
public final class DeclaredSchedules {

    private static final Logger log = LoggerFactory.getLogger(DeclaredSchedules.class);

    private final ScheduleDefinitions definitions;
    private final ScheduleUpserts upserts;
    private final JsonMapper json;
    private final Clock clock;
    private final Scheduler scheduler;

    public DeclaredSchedules(
            ScheduleDefinitions definitions, ScheduleStore store, Scheduler scheduler, JsonMapper json, Clock clock) {
        this.definitions = definitions;
        this.upserts = new ScheduleUpserts(store, clock);
        this.scheduler = scheduler;
        this.json = json;
        this.clock = clock;
    }

    /** Upserts what workers declared. */
    public void declare(List<ScheduleEvent.Declared> declared) {
        boolean changed = false;
        for (ScheduleEvent.Declared event : declared) {
            String worker = event.source().hostname();
            ScheduleRequest request;
            Schedule.Definition definition;
            try {
                request = json.treeToValue(event.schedule(), ScheduleRequest.class);
                String problem = request.id() == null ? "no id" : ScheduleDefinitions.idProblem(request.id());
                if (problem != null) {
                    log.error("worker {} declared a schedule with a bad id ({}); it is ignored", worker, problem);
                    continue;
                }
                definition = definitions.read(request, ScheduleDefinitions.Names.ANY, clock.instant());
            } catch (ErrorResponseException e) {
                log.error(
                        "worker {} declared a schedule the API refuses ({}); it is ignored",
                        worker,
                        e.getBody().getDetail());
                continue;
            } catch (JacksonException e) {
                log.error(
                        "worker {} declared a schedule that is not one ({}); it is ignored",
                        worker,
                        e.getOriginalMessage());
                continue;
            }
            var result =
                    upserts.upsert(request.id(), definition, request.start() != null, false, Schedule.Origin.WORKER);
            if (result == ScheduleUpserts.Result.KEPT) {
                log.info(
                        "worker {} declared schedule '{}', which is defined over the API or in its configuration:"
                                + " that definition stays",
                        worker,
                        request.id());
            }
            changed |= result == ScheduleUpserts.Result.ADDED || result == ScheduleUpserts.Result.REPLACED;
        }
        if (changed) {
            scheduler.wake();
        }
    }
}
