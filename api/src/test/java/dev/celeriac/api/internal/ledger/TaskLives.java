package dev.celeriac.api.internal.ledger;

import dev.celeriac.protocol.event.EventSource;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.names.EventFields;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** The events of tasks' lives as workers send them, and ways to deliver them as a broker may: late, twice, batched. */
final class TaskLives {

    /** Events of the tests happen from now on, in whole milliseconds, so that they survive a database's precision. */
    static final double NOW = Math.floor(System.currentTimeMillis()) / 1000.0 + 1;

    private TaskLives() {}

    static EventSource at(double seconds) {
        return new EventSource("w@h", NOW + seconds, 0, 1, (long) (seconds * 1000));
    }

    /** Celeriac's extra fields for an attempt of a run. */
    private static Map<String, Object> of(int attempt, int replay) {
        return Map.of(EventFields.RETRIES, attempt, EventFields.REPLAY, replay);
    }

    /**
     * A Celeriac worker's events for a task that failed {@code retries} times, then succeeded, in run {@code replay}
     * (0 for its first), starting at {@code start} seconds.
     */
    static List<TaskEvent> retriedThenSucceeded(String id, int retries, int replay, double start) {
        var events = new ArrayList<TaskEvent>();
        double t = start;
        for (int attempt = 0; attempt <= retries; attempt++) {
            events.add(new TaskEvent.Received(
                    at(t++),
                    id,
                    "demo.flaky",
                    "[2]",
                    "{}",
                    attempt,
                    null,
                    id,
                    null,
                    Map.of(EventFields.REPLAY, replay)));
            events.add(new TaskEvent.Started(at(t++), id, of(attempt, replay)));
            if (attempt < retries) {
                events.add(new TaskEvent.Retried(
                        at(t++), id, "IllegalStateException('" + attempt + "')", "tb", of(attempt + 1, replay)));
            }
        }
        events.add(new TaskEvent.Succeeded(at(t), id, "\"done in run " + replay + "\"", 0.01, of(retries, replay)));
        return events;
    }

    /** A Celeriac worker's events for a task that failed for good in run {@code replay}. */
    static List<TaskEvent> failed(String id, int replay, double start) {
        return List.of(
                new TaskEvent.Received(
                        at(start), id, "demo.fail", "[]", "{}", 0, null, id, null, Map.of(EventFields.REPLAY, replay)),
                new TaskEvent.Started(at(start + 1), id, of(0, replay)),
                new TaskEvent.Failed(
                        at(start + 2),
                        id,
                        "NonRetryableException('run " + replay + "')",
                        "tb",
                        Map.of(EventFields.RETRIES, 0, EventFields.REPLAY, replay, "reason", "failed")));
    }

    /**
     * A Celery worker's events for a task retried {@code retries} times: only task-received says the attempt, and
     * nothing says the run.
     */
    static List<TaskEvent> celeryRetriedThenSucceeded(String id, int retries, double start) {
        var events = new ArrayList<TaskEvent>();
        double t = start;
        for (int attempt = 0; attempt <= retries; attempt++) {
            events.add(
                    new TaskEvent.Received(at(t++), id, "py.flaky", "(2,)", "{}", attempt, null, id, null, Map.of()));
            events.add(new TaskEvent.Started(at(t++), id, Map.of()));
            if (attempt < retries) {
                events.add(new TaskEvent.Retried(at(t++), id, "ValueError('x')", "tb", Map.of()));
            }
        }
        events.add(new TaskEvent.Succeeded(at(t), id, "2", 0.01, Map.of()));
        return events;
    }

    /** The events with some delivered twice, shuffled, in batches of random size. */
    static List<List<TaskEvent>> delivered(List<TaskEvent> events, Random random) {
        var all = new ArrayList<>(events);
        for (int i = 0; i < events.size() / 2; i++) {
            all.add(events.get(random.nextInt(events.size())));
        }
        Collections.shuffle(all, random);
        var batches = new ArrayList<List<TaskEvent>>();
        int from = 0;
        while (from < all.size()) {
            int to = Math.min(all.size(), from + 1 + random.nextInt(4));
            batches.add(List.copyOf(all.subList(from, to)));
            from = to;
        }
        return batches;
    }

    /**
     * What the ledger holds after the rounds of changes, by the projection alone: the first change of a task kept as
     * the store first keeps it, later ones merged in.
     */
    static Map<String, TaskChange> expected(TaskProjection projection, List<List<TaskChange>> batches) {
        var stored = new HashMap<String, TaskChange>();
        for (List<TaskChange> batch : batches) {
            for (TaskChange change : batch) {
                TaskChange known = stored.get(change.id());
                stored.put(change.id(), known == null ? change.asFirstStored() : TaskProjection.merge(known, change));
            }
        }
        return stored;
    }
}
