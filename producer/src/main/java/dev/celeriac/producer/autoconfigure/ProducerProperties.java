package dev.celeriac.producer.autoconfigure;

import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The task client ({@code celeriac.producer.*}).
 *
 * @param defaultQueue Queue of tasks that name none.
 * @param confirmTimeout How long a submit waits for the broker's publisher confirm before it fails with a time-out
 * @param sendSentEvents Whether each accepted task is announced with a {@code task-sent} event, so that the ledger
 *     knows it as PENDING before a worker takes it (Celery's {@code task_send_sent_event}).
 * @param origin The {@code origin} header of sent tasks ({@code name@host}); unset for {@code java<pid>@<host>}
 */
@Validated
@ConfigurationProperties("celeriac.producer")
public record ProducerProperties(
        @DefaultValue("default") @NotBlank String defaultQueue,
        @DefaultValue("10s") Duration confirmTimeout,
        @DefaultValue("true") boolean sendSentEvents,
        String origin) {}
