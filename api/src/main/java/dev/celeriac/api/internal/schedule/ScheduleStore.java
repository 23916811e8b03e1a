package dev.celeriac.api.internal.schedule;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code schedules} table. A schedule's cursor ({@code next_slot}) only moves forward from where a scheduler found
 * it: two instances that dealt with the same slots move it once.
 */
public final class ScheduleStore {

    private static final String COLUMNS = "id, cron, zone, every_ms, run_at, anchor, request, missed,"
            + " starting_deadline_ms, overlap, paused, origin, next_slot, last_slot, last_task_id, created_at,"
            + " updated_at";

    /** The columns a definition is stored in. */
    private static final String DEFINITION =
            "cron, zone, every_ms, run_at, anchor, task, request, missed, starting_deadline_ms, overlap";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    public ScheduleStore(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    public Optional<Schedule> find(String id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM schedules WHERE id = ?")
                .param(id)
                .query(this::read)
                .optional();
    }

    /** Every schedule, by id. */
    public List<Schedule> list() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM schedules ORDER BY id")
                .query(this::read)
                .list();
    }

    /** The schedules not paused whose next slot has come, earliest first. */
    public List<Schedule> due(Instant now, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM schedules WHERE next_slot <= ? AND paused = FALSE"
                        + " ORDER BY next_slot LIMIT ?")
                .params(Timestamp.from(now), limit)
                .query(this::read)
                .list();
    }

    /** The earliest next slot of the schedules not paused. */
    public Optional<Instant> earliest() {
        return jdbc.sql("SELECT MIN(next_slot) FROM schedules WHERE paused = FALSE")
                .query((rs, n) -> instant(rs, 1))
                .optional()
                .filter(at -> at != null);
    }

    /**
     * Adds a schedule.
     *
     * @return whether it was added; {@code false} if one with its id exists
     */
    public boolean add(String id, Schedule.Definition definition, boolean paused, Schedule.Origin origin, Instant now) {
        var params = new ArrayList<Object>();
        params.add(id);
        params.addAll(columns(definition, now));
        params.addAll(Arrays.asList(
                paused,
                origin.name(),
                timestamp(definition.firstSlot(now).orElse(null)),
                Timestamp.from(now),
                Timestamp.from(now)));
        return jdbc.sql("INSERT INTO schedules (id, " + DEFINITION + ", paused, origin, next_slot, created_at,"
                                + " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                + " ON CONFLICT DO NOTHING")
                        .params(params)
                        .update()
                == 1;
    }

    /** Replaces a schedule's definition; its cursor starts again from now. Whether it exists. */
    public boolean redefine(String id, Schedule.Definition definition, Schedule.Origin origin, Instant now) {
        var params = new ArrayList<Object>(columns(definition, now));
        params.addAll(Arrays.asList(
                origin.name(), timestamp(definition.firstSlot(now).orElse(null)), Timestamp.from(now), id));
        String assignments = Arrays.stream(DEFINITION.split(", "))
                .map(column -> column + " = ?")
                .collect(Collectors.joining(", "));
        return jdbc.sql("UPDATE schedules SET " + assignments + ", origin = ?, next_slot = ?, updated_at = ?"
                                + " WHERE id = ?")
                        .params(params)
                        .update()
                == 1;
    }

    /** The columns of a definition, in the order of {@link #DEFINITION}. */
    private List<Object> columns(Schedule.Definition definition, Instant now) {
        Trigger trigger = definition.trigger();
        return Arrays.asList(
                trigger instanceof Trigger.Cron c ? c.expression() : null,
                trigger instanceof Trigger.Cron c ? c.zone().getId() : "UTC",
                trigger instanceof Trigger.Every e ? e.interval().toMillis() : null,
                trigger instanceof Trigger.Once o ? Timestamp.from(o.at()) : null,
                Timestamp.from(trigger instanceof Trigger.Every e ? e.anchor() : now),
                definition.task().task(),
                json.writeValueAsString(definition.task()),
                definition.missed().name(),
                definition.startingDeadline() == null
                        ? null
                        : definition.startingDeadline().toMillis(),
                definition.overlap().name());
    }

    /**
     * Pauses a schedule; whether it exists. Its row lock waits for the transactions firing its slots now
     * ({@link FireStore#claim}), and those that come after it find it paused: once this commits, none of its slots
     * fires. Its cursor stays where the schedulers left it.
     */
    public boolean pause(String id, Instant now) {
        return jdbc.sql("UPDATE schedules SET paused = TRUE, updated_at = ? WHERE id = ?")
                        .params(Timestamp.from(now), id)
                        .update()
                == 1;
    }

    /**
     * Resumes a schedule from {@code nextSlot}, its first slot from now: the slots that passed while it was paused do
     * not fire. Whether it exists.
     */
    public boolean resume(String id, Instant nextSlot, Instant now) {
        return jdbc.sql("UPDATE schedules SET paused = FALSE, next_slot = ?, updated_at = ? WHERE id = ?")
                        .params(timestamp(nextSlot), Timestamp.from(now), id)
                        .update()
                == 1;
    }

    /**
     * Removes a schedule; whether it existed. Like a pause, it waits for the transactions firing its slots now, and
     * those after it find no schedule to fire.
     */
    public boolean remove(String id) {
        return jdbc.sql("DELETE FROM schedules WHERE id = ?").param(id).update() == 1;
    }

    /**
     * Moves a schedule's cursor from the slot a scheduler planned from to the next one, unless another scheduler
     * (or a change of the schedule) moved it first.
     *
     * @return whether this call moved it
     */
    public boolean advance(String id, Instant from, Instant next) {
        return jdbc.sql("UPDATE schedules SET next_slot = ? WHERE id = ? AND next_slot = ?")
                        .params(timestamp(next), id, Timestamp.from(from))
                        .update()
                == 1;
    }

    /** Notes the latest slot fired, unless a later one is noted already. */
    public void fired(String id, Instant slot, String taskId) {
        jdbc.sql("UPDATE schedules SET last_slot = ?, last_task_id = ? WHERE id = ?"
                        + " AND (last_slot IS NULL OR last_slot < ?)")
                .params(Timestamp.from(slot), taskId, id, Timestamp.from(slot))
                .update();
    }

    private Schedule read(ResultSet rs, int row) throws SQLException {
        String cron = rs.getString("cron");
        Long every = rs.getObject("every_ms", Long.class);
        Instant at = instant(rs, "run_at");
        Trigger trigger;
        if (cron != null) {
            trigger = Trigger.Cron.of(cron, ZoneId.of(rs.getString("zone")));
        } else if (every != null) {
            trigger = new Trigger.Every(Duration.ofMillis(every), instant(rs, "anchor"));
        } else {
            trigger = new Trigger.Once(at);
        }
        Long deadline = rs.getObject("starting_deadline_ms", Long.class);
        var definition = new Schedule.Definition(
                trigger,
                json.readValue(rs.getString("request"), TaskTemplate.class),
                MissedPolicy.valueOf(rs.getString("missed")),
                deadline == null ? null : Duration.ofMillis(deadline),
                OverlapPolicy.valueOf(rs.getString("overlap")));
        return new Schedule(
                rs.getString("id"),
                definition,
                rs.getBoolean("paused"),
                Schedule.Origin.valueOf(rs.getString("origin")),
                instant(rs, "next_slot"),
                instant(rs, "last_slot"),
                rs.getString("last_task_id"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp at = rs.getTimestamp(column);
        return at == null ? null : at.toInstant();
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp at = rs.getTimestamp(column);
        return at == null ? null : at.toInstant();
    }

    private static Timestamp timestamp(Instant at) {
        return at == null ? null : Timestamp.from(at);
    }
}
