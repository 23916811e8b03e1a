package dev.celeriac.worker.control;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * A task running on this worker, as {@code celery inspect active} and {@code query_task} report it.
 *
 * @param id the task id
 * @param name the task name
 * @param args its positional arguments
 * @param kwargs its keyword arguments
 * @param queue the work queue it came from
 * @param exchange the exchange it was published to
 * @param startedAt when it started here
 * @param redelivered whether the broker delivered it before (to this or another worker)
 * @param priority its message priority, or {@code null}
 */
public record ActiveTask(
        String id,
        String name,
        JsonNode args,
        JsonNode kwargs,
        String queue,
        String exchange,
        Instant startedAt,
        boolean redelivered,
        Integer priority) {}
