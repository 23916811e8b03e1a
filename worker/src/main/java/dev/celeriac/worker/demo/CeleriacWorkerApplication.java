package dev.celeriac.worker.demo;

import dev.celeriac.worker.lifecycle.GracefulExit;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The demo worker: serves the queue {@code default} with {@link DemoTasks} on the RabbitMQ of
 * {@code spring.rabbitmq.*} (localhost by default), with health and Prometheus metrics on port 8081 under
 * {@code /actuator}. Every {@code celeriac.*} property applies.
 */
@SpringBootApplication
public class CeleriacWorkerApplication {

    /** The log level, then the task a line is about as Celery writes it, {@code name[id]}; nothing outside a task. */
    static final String TASK_LEVEL_PATTERN = "%5p%replace( %X{task_name}[%X{task_id}]){'^ \\[\\]$', ''}";

    public static void main(String[] args) {
        var application = new SpringApplication(CeleriacWorkerApplication.class);
        application.setDefaultProperties(Map.of(
                "spring.application.name", "celeriac-worker",
                "server.port", "8081",
                "management.endpoints.web.exposure.include", "health,info,prometheus",
                "management.endpoint.health.probes.enabled", "true",
                // Spring Boot's tracer runs only when Celeriac's traces are on, so that off they cost nothing.
                "management.tracing.export.enabled", "${celeriac.tracing.enabled:false}",
                // No exemplars on the scraped metrics: a Prometheus that does not store them refuses the scrape.
                "management.tracing.exemplars.include", "none",
                // A task's lines say which task, as Celery's do: "INFO demo.add[<id>] ..." (set in the MDC).
                "logging.pattern.level", TASK_LEVEL_PATTERN));
        GracefulExit.install(application);
        application.run(args);
    }
}
