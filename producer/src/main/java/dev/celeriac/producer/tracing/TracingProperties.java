package dev.celeriac.producer.tracing;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Traces of tasks ({@code celeriac.tracing.*}), for the producer, the API and the worker alike.
 *
 * @param enabled Whether publishes and runs of tasks are observed, as spans of the application's tracer (Micrometer
 *     Tracing, such as Spring Boot's OpenTelemetry starter), with the W3C trace context in the task messages. Off, they
 *     cost nothing. The spans are exported as the tracer is configured, e.g.
 *     {@code management.opentelemetry.tracing.export.otlp.endpoint}, and sampled by
 *     {@code management.tracing.sampling.probability}.
 */
@ConfigurationProperties("celeriac.tracing")
public record TracingProperties(@DefaultValue("false") boolean enabled) {}
