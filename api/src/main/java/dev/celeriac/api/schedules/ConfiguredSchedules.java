package dev.celeriac.api.schedules;

import dev.celeriac.api.internal.schedule.Schedule;
import dev.celeriac.api.internal.schedule.ScheduleStore;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.ErrorResponseException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The schedules of {@code celeriac.schedules.*}: read and checked when the API starts (a bad one stops it with the
 * reason), and upserted into the store by the scheduler before its first round, however long the database takes to
 * be there.
 */
public final class ConfiguredSchedules {

    private final Map<String, Schedule.Definition> definitions = new LinkedHashMap<>();
    private final Map<String, Boolean> paused = new LinkedHashMap<>();
    private final Map<String, Boolean> startGiven = new LinkedHashMap<>();
    private final ScheduleUpserts upserts;

    /**
     * @throws IllegalStateException naming the first schedule that is not valid, and why
     */
    public ConfiguredSchedules(
            ScheduleProperties properties,
            ScheduleDefinitions reader,
            ScheduleStore store,
            JsonMapper json,
            Clock clock) {
        this.upserts = new ScheduleUpserts(store, clock);
        Instant now = clock.instant();
        properties.schedules().forEach((id, entry) -> {
            String where = "celeriac.schedules." + id;
            String idProblem = ScheduleDefinitions.idProblem(id);
            if (idProblem != null) {
                throw new IllegalStateException(where + ": " + idProblem);
            }
            try {
                var request = new ScheduleRequest(
                        id,
                        entry.cron(),
                        entry.zone(),
                        entry.every() == null ? null : entry.every().toString(),
                        entry.start(),
                        entry.at(),
                        entry.task(),
                        entry.args() == null
                                ? null
                                : json.readValue(entry.args(), new TypeReference<List<Object>>() {}),
                        entry.kwargs() == null
                                ? null
                                : json.readValue(entry.kwargs(), new TypeReference<Map<String, Object>>() {}),
                        entry.queue(),
                        entry.priority(),
                        entry.expires() == null ? null : entry.expires().toMillis() / 1000.0,
                        entry.maxRetries(),
                        entry.missed(),
                        entry.startingDeadline() == null
                                ? null
                                : entry.startingDeadline().toString(),
                        entry.overlap(),
                        entry.paused());
                definitions.put(id, reader.read(request, ScheduleDefinitions.Names.ANY, now));
                paused.put(id, Boolean.TRUE.equals(entry.paused()));
                startGiven.put(id, entry.start() != null);
            } catch (ErrorResponseException e) {
                throw new IllegalStateException(where + ": " + e.getBody().getDetail(), e);
            } catch (JacksonException e) {
                throw new IllegalStateException(where + ": 'args' must be a JSON array and 'kwargs' a JSON object ("
                        + e.getOriginalMessage() + ")");
            }
        });
    }

    /** Upserts every configured schedule into the store. */
    void upsert() {
        definitions.forEach((id, definition) ->
                upserts.upsert(id, definition, startGiven.get(id), paused.get(id), Schedule.Origin.CONFIGURATION));
    }

    boolean isEmpty() {
        return definitions.isEmpty();
    }
}
