package dev.celeriac.api.config;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Makes {@code celeriac.tracing.enabled=false} (the default) mean that the API creates no span at all. Spring Boot's
 * {@code management.tracing.export.enabled=false} stops only the export: its tracer still starts a span for every
 * HTTP request and samples one in ten, which a profile of the submit path found in every request. Off, the tracer's
 * auto-configuration is left out, so the request's observation feeds the HTTP metrics alone.
 */
public final class TracingSwitch implements EnvironmentPostProcessor {

    static final String ENABLED = "celeriac.tracing.enabled";
    static final String EXCLUDE = "spring.autoconfigure.exclude";

    /** Spring Boot's tracer and the handlers that turn observations into its spans. */
    static final String TRACER = String.join(
            ",",
            "org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration",
            "org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.getProperty(ENABLED, Boolean.class, false)) {
            return;
        }
        String already = environment.getProperty(EXCLUDE, "");
        String excluded = already.isBlank() ? TRACER : already + "," + TRACER;
        environment
                .getPropertySources()
                .addFirst(new MapPropertySource("celeriac-tracing-off", Map.of(EXCLUDE, excluded)));
    }
}
