package dev.celeriac.api.internal.schedule;

import java.util.List;
import java.util.Map;

/**
 * The task a schedule fires at each slot: what a submit gives, less the times (a slot is the time).
 *
 * @param task registered task name
 * @param queue work queue, {@code null} for the default one
 * @param priority 0 to 9, or {@code null}
 * @param expires do not run later than this many seconds after the slot, or {@code null}
 * @param maxRetries retries allowed, overriding the task's own policy, or {@code null}
 */
public record TaskTemplate(
        String task,
        List<Object> args,
        Map<String, Object> kwargs,
        String queue,
        Integer priority,
        Double expires,
        Integer maxRetries) {

    public TaskTemplate {
        args = args == null ? List.of() : args;
        kwargs = kwargs == null ? Map.of() : kwargs;
    }
}
