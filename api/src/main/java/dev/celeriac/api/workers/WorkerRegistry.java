package dev.celeriac.api.workers;

import dev.celeriac.protocol.event.WorkerEvent;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Workers from their online, heartbeat and offline events, and the task names they registered. */
public final class WorkerRegistry {

    /** A worker as last heard of. */
    public record Worker(
            String hostname,
            String software,
            String version,
            List<String> queues,
            String pool,
            Integer poolSize,
            int active,
            long processed,
            List<String> registered,
            boolean online,
            Instant firstSeen,
            Instant lastHeartbeat) {}

    /** A worker counts as alive while its last heartbeat is younger than this (Celery sends one every 2 s). */
    public static final Duration ALIVE = Duration.ofSeconds(10);

    private final JdbcTemplate jdbc;
    private final JsonMapper json;
    /** The task names last written for each worker, once their transaction committed. */
    private final Map<String, List<String>> written = new ConcurrentHashMap<>();
    /** Task names known to be registered. */
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    public WorkerRegistry(JdbcTemplate jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * Records a batch of worker events (the recorder calls it inside its transaction). Only the latest event of each
     * worker is written, and the latest that lists its tasks: heartbeats come every two seconds from every worker.
     */
    public void applyAll(List<WorkerEvent> events) {
        var latest = new LinkedHashMap<String, WorkerEvent>();
        var latestInfo = new LinkedHashMap<String, WorkerEvent>();
        for (WorkerEvent event : events) {
            String hostname = event.source().hostname();
            latest.merge(hostname, event, WorkerRegistry::later);
            if (event.info() != null) {
                latestInfo.merge(hostname, event, WorkerRegistry::later);
            }
        }
        latest.forEach((hostname, event) -> {
            WorkerEvent info = latestInfo.get(hostname);
            if (info != null && info != event) {
                apply(info);
            }
            apply(event);
        });
    }

    private static WorkerEvent later(WorkerEvent a, WorkerEvent b) {
        return b.source().timestamp() >= a.source().timestamp() ? b : a;
    }

    /** Records a worker event (inside the caller's transaction). */
    public void apply(WorkerEvent event) {
        Instant at = event.source().instant();
        boolean online = !(event instanceof WorkerEvent.Offline);
        int active = event instanceof WorkerEvent.Heartbeat h ? h.active() : 0;
        long processed = event instanceof WorkerEvent.Heartbeat h ? h.processed() : 0;
        var info = event.info();
        String queues = info == null ? null : json.writeValueAsString(info.queues());
        String registered = info == null ? null : json.writeValueAsString(info.registered());
        Object[] values = {
            event.swIdent(),
            event.swVer(),
            queues,
            info == null ? null : info.pool(),
            info == null ? null : info.poolSize(),
            active,
            processed,
            registered,
            online,
            Timestamp.from(at),
            event.source().hostname(),
            Timestamp.from(at)
        };
        int updated = jdbc.update(
                "UPDATE workers SET software = ?, version = ?, queues = COALESCE(?, queues),"
                        + " pool = COALESCE(?, pool), pool_size = COALESCE(?, pool_size), active = ?,"
                        + " processed = GREATEST(processed, ?), registered = COALESCE(?, registered), online = ?,"
                        + " last_heartbeat = GREATEST(last_heartbeat, ?) WHERE hostname = ? AND last_heartbeat <= ?",
                values);
        if (updated == 0
                && jdbc.queryForObject(
                                "SELECT COUNT(*) FROM workers WHERE hostname = ?",
                                Integer.class,
                                event.source().hostname())
                        == 0) {
            jdbc.update(
                    "INSERT INTO workers (software, version, queues, pool, pool_size, active, processed,"
                            + " registered, online, last_heartbeat, hostname, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
                            + " ?, ?, ?)",
                    values);
        }
        String hostname = event.source().hostname();
        // Heartbeats repeat the task names every few seconds; they are written only when a worker's list changes.
        if (info != null && !info.registered().equals(written.get(hostname))) {
            List<String> names = info.registered();
            afterCommit(() -> {
                written.put(hostname, names);
                known.addAll(names);
            });
            for (String name : names) {
                if (jdbc.update("UPDATE registered_tasks SET last_seen = ? WHERE name = ?", Timestamp.from(at), name)
                        == 0) {
                    jdbc.update(
                            "INSERT INTO registered_tasks (name, last_seen) VALUES (?, ?)", name, Timestamp.from(at));
                }
            }
        }
    }

    private static void afterCommit(Runnable action) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    action.run();
                }
            });
        } else {
            action.run();
        }
    }

    /**
     * Whether any worker ever registered the task name. Names are never unregistered, so a name once found is
     * answered from memory; a name not known here is looked up, since another API instance may have recorded it.
     */
    public boolean isRegistered(String task) {
        if (known.contains(task)) {
            return true;
        }
        Integer count =
                jdbc.queryForObject("SELECT COUNT(*) FROM registered_tasks WHERE name = ?", Integer.class, task);
        boolean registered = count != null && count > 0;
        if (registered) {
            known.add(task);
        }
        return registered;
    }

    /** Workers alive: online, with a heartbeat younger than {@link #ALIVE} at {@code now}. */
    public List<Worker> alive(Instant now) {
        Instant cutoff = now.minus(ALIVE);
        return all().stream().filter(w -> isAlive(w, cutoff)).toList();
    }

    static boolean isAlive(Worker worker, Instant cutoff) {
        return worker.online() && worker.lastHeartbeat().isAfter(cutoff);
    }

    /** Every worker ever seen, most recently heard of first. */
    public List<Worker> all() {
        return jdbc.query(
                "SELECT * FROM workers ORDER BY last_heartbeat DESC",
                (rs, n) -> new Worker(
                        rs.getString("hostname"),
                        rs.getString("software"),
                        rs.getString("version"),
                        list(rs.getString("queues")),
                        rs.getString("pool"),
                        (Integer) rs.getObject("pool_size"),
                        rs.getInt("active"),
                        rs.getLong("processed"),
                        list(rs.getString("registered")),
                        rs.getBoolean("online"),
                        rs.getTimestamp("first_seen").toInstant(),
                        rs.getTimestamp("last_heartbeat").toInstant()));
    }

    private List<String> list(String text) {
        return text == null ? List.of() : json.readValue(text, new TypeReference<List<String>>() {});
    }
}
