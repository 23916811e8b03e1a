package dev.celeriac.api.deadletters;

import java.time.Instant;

/**
 * A dead-lettered task message, with why it failed.
 *
 * @param id dead letter id
 * @param taskId the task's id, if the message had one
 * @param task the task name, if known
 * @param queue the work queue it came from
 * @param reason why it was dead-lettered ({@code retries-exhausted}, {@code not-retryable}, {@code bad-arguments},
 *     {@code unknown-task}, {@code malformed}, or RabbitMQ's own reason such as {@code delivery_limit})
 * @param exception exception class of the failure
 * @param message its message
 * @param traceback its stack trace
 * @param attempts attempts that ran
 * @param worker the worker that dead-lettered it
 * @param failedAt when
 * @param replay how many times the task had been replayed from its dead letters before this one
 */
public record DeadLetter(
        long id,
        String taskId,
        String task,
        String queue,
        String reason,
        String exception,
        String message,
        String traceback,
        Integer attempts,
        String worker,
        Instant failedAt,
        int replay) {}
