package dev.celeriac.api.submit;

import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /api/v1/tasks}.
 *
 * @param task registered task name (required)
 * @param args positional arguments
 * @param kwargs keyword arguments
 * @param queue work queue, {@code default} if absent
 * @param priority 0 to 9
 * @param countdown seconds to wait before running
 * @param eta earliest start, ISO-8601 (not with countdown)
 * @param expires do not run after this: ISO-8601, or seconds from now
 * @param maxRetries retries allowed, overriding the task's own policy
 */
public record SubmitRequest(
        String task,
        List<Object> args,
        Map<String, Object> kwargs,
        String queue,
        Integer priority,
        Double countdown,
        String eta,
        Object expires,
        Integer maxRetries) {}
