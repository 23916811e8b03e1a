package dev.celeriac.worker.lifecycle;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import sun.misc.Signal;

/**
 * Makes SIGTERM a clean exit: the application context closes (the worker drains within its grace period) and the
 * process exits 0, as a supervisor expects of a requested stop. Without it the JVM exits 143 after the same drain.
 */
public final class GracefulExit {

    private static final Logger log = LoggerFactory.getLogger(GracefulExit.class);

    private GracefulExit() {}

    /**
     * Installs the SIGTERM handler as soon as the application's context exists, before it starts: a supervisor may
     * stop a worker the moment it reports for work, before {@link SpringApplication#run} has returned.
     */
    public static void install(SpringApplication application) {
        application.addListeners(
                (ApplicationListener<ApplicationPreparedEvent>) event -> onSigterm(event.getApplicationContext()));
    }

    /** Installs the SIGTERM handler for the given application. */
    public static void onSigterm(ConfigurableApplicationContext context) {
        Signal.handle(
                new Signal("TERM"),
                signal -> Thread.ofPlatform().name("celeriac-sigterm").start(() -> {
                    log.info("SIGTERM received: draining");
                    System.exit(SpringApplication.exit(context, () -> 0));
                }));
    }
}
