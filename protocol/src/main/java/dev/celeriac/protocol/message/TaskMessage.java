package dev.celeriac.protocol.message;

import java.util.Objects;

/**
 * A task message of Celery's message protocol v2: AMQP properties, headers and body.
 *
 * @param properties the AMQP properties
 * @param headers the protocol headers
 * @param body the arguments and workflow
 */
public record TaskMessage(TaskProperties properties, TaskHeaders headers, TaskBody body) {

    public TaskMessage {
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
    }

    /** The task id. */
    public String id() {
        return headers.id();
    }

    /** The registered task name. */
    public String task() {
        return headers.task();
    }
}
