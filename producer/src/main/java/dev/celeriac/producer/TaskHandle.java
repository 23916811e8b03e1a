package dev.celeriac.producer;

import java.time.Instant;

/**
 * A task the broker has confirmed: it is stored and will be delivered.
 *
 * @param id the task id
 * @param task the task name
 * @param queue the work queue it was sent to
 * @param eta when it is due, or {@code null} if at once
 * @param acceptedAt when the broker confirmed it
 */
public record TaskHandle(String id, String task, String queue, Instant eta, Instant acceptedAt) {}
