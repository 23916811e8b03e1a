package dev.celeriac.worker;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a method of a Spring bean a task that workers run. Arguments bind from the Celery message body: positional
 * {@code args} to the parameters in order, {@code kwargs} by parameter name, or the whole {@code kwargs} object to a
 * single record or {@code Map} parameter. A {@link TaskContext} parameter receives the task's context. The return
 * value, written as JSON, is the task's result. Which queue a task goes to is the producer's choice
 * ({@code SubmitOptions.withQueue}, else {@code celeriac.producer.default-queue}); a worker runs the tasks it knows
 * from every queue of {@code celeriac.worker.queues}.
 *
 * <pre>{@code
 * @CeleriacTask(name = "email.send", maxRetries = 5, noRetryOn = InvalidAddressException.class,
 *         softTimeLimit = "30s", timeLimit = "60s")
 * public String send(String to, String subject, TaskContext context) { ... }
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface CeleriacTask {

    /** The task name producers send, e.g. {@code email.send}. */
    String name();

    /** Retries after the first attempt before the task is dead-lettered (Celery's default is 3). */
    int maxRetries() default 3;

    /** Exceptions that are retried (with their subclasses). */
    Class<? extends Throwable>[] retryOn() default {Exception.class};

    /** Exceptions that are never retried, even if {@link #retryOn()} matches; they dead-letter at once. */
    Class<? extends Throwable>[] noRetryOn() default {};

    /** First retry delay; each later retry doubles it, with jitter (a duration such as {@code 1s}). */
    String backoff() default "1s";

    /** Longest retry delay (Celery's default cap is 10 minutes). */
    String maxBackoff() default "10m";

    /** Time after which the task's thread is interrupted, so that it can stop cleanly; empty for none. */
    String softTimeLimit() default "";

    /** Time after which the task is abandoned, its slot freed and the attempt failed; empty for none. */
    String timeLimit() default "";

    /**
     * How often one worker starts this task, in Celery's syntax: {@code "10/s"}, {@code "100/m"}, {@code "1000/h"};
     * empty for no limit. A run asked for sooner waits in the broker's delay ladder, never in a pool slot.
     * {@code celeriac.worker.rate-limits.<task>} and Celery's {@code rate_limit} command override it.
     */
    String rateLimit() default "";

    /**
     * How often the whole fleet starts this task, every worker together, in the same syntax: {@code "20/s"} across
     * three workers is 20 a second in all. A task waiting for its turn is parked in the broker, never in a slot.
     * {@code celeriac.worker.global-rate-limits.<task>} overrides it; give every worker the same.
     */
    String globalRateLimit() default "";
}
