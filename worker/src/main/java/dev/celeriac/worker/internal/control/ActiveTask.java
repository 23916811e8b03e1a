package dev.celeriac.worker.internal.control;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * A task this worker holds: running ({@code celery inspect active}, {@code query_task}), waiting for a slot
 * ({@code reserved}), or on its way to the delay ladder ({@code scheduled}).
 *
 * @param id the task id
 * @param name the task name
 * @param args its positional arguments
 * @param kwargs its keyword arguments
 * @param queue the work queue it came from
 * @param exchange the exchange it was published to
 * @param startedAt when it started here, or {@code null} if it has not
 * @param eta when it is due, or {@code null} if it is due now
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
        Instant eta,
        boolean redelivered,
        Integer priority) {}
