package dev.celeriac.api.query;

import dev.celeriac.api.internal.ledger.TaskFilter;
import dev.celeriac.api.problems.Problems;
import dev.celeriac.protocol.state.TaskState;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;

/** Reads the filter of a task list or a bulk action from its request parameters, refusing what it cannot read. */
public final class TaskFilters {

    /** Fewest characters a search by argument takes: shorter text has no trigram, so no index could find it. */
    public static final int MIN_SEARCH = 3;

    /** Most characters a search by argument takes. */
    public static final int MAX_SEARCH = 200;

    private TaskFilters() {}

    /**
     * The filter the parameters describe; each may be {@code null} or blank. A parameter it cannot read is refused
     * with a 400 problem that names it.
     */
    public static TaskFilter of(
            String state, String task, String queue, String parent, String search, String since, String until) {
        TaskState wanted = null;
        if (present(state)) {
            try {
                wanted = TaskState.valueOf(state.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw Problems.badRequest(
                        "state must be one of " + Arrays.toString(TaskState.values()) + ", was '" + state + "'");
            }
        }
        String text = present(search) ? search.strip() : null;
        if (text != null && (text.length() < MIN_SEARCH || text.length() > MAX_SEARCH)) {
            throw Problems.badRequest(
                    "search must be " + MIN_SEARCH + " to " + MAX_SEARCH + " characters, was " + text.length());
        }
        Instant from = instant("since", since);
        Instant to = instant("until", until);
        if (from != null && to != null && !from.isBefore(to)) {
            throw Problems.badRequest("since must be before until, was " + from + " and " + to);
        }
        return new TaskFilter(
                wanted,
                present(task) ? task.strip() : null,
                present(queue) ? queue.strip() : null,
                null,
                present(parent) ? parent.strip() : null,
                text,
                from,
                to);
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    private static Instant instant(String name, String value) {
        if (!present(value)) {
            return null;
        }
        try {
            return Instant.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw Problems.badRequest(
                    name + " must be an ISO-8601 instant such as 2026-12-06T10:15:30Z, was '" + value + "'");
        }
    }
}
