package dev.celeriac.worker;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a {@link CeleriacTask} on a schedule. The worker checks the schedule as it starts (a bad one stops it with the
 * reason) and declares it to the ledger on the broker; any API instance adds it to its schedules (origin
 * {@code worker}), or replaces the one a worker declared before under the same id if it changed, and the API's
 * schedulers fire it once per slot whatever the number of workers. A schedule defined over REST or in the API's
 * configuration under the same id wins over a worker's. Exactly one of {@link #cron()} and {@link #every()}.
 *
 * <pre>{@code
 * @CeleriacTask(name = "reports.nightly")
 * @CeleriacSchedule(cron = "30 2 * * *", zone = "Europe/Berlin")
 * public void nightly() { ... }
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Repeatable(CeleriacSchedules.class)
public @interface CeleriacSchedule {

    /** The schedule's stable id; the task's name if empty (give one to each when a task has several). */
    String id() default "";

    /** A cron expression: six fields (seconds first), five (Unix cron) or a macro such as {@code @daily}. */
    String cron() default "";

    /** The IANA time zone of {@link #cron()}; UTC if empty. */
    String zone() default "";

    /** A fixed interval, such as {@code 30s} or {@code 15m}; at least 1 s. */
    String every() default "";

    /** Positional arguments, as a JSON array. */
    String args() default "[]";

    /** Keyword arguments, as a JSON object. */
    String kwargs() default "{}";

    /** The work queue; the producer's default queue if empty. */
    String queue() default "";

    /** {@code run-once} (the default), {@code skip} or {@code run-each}: slots that passed while nothing fired. */
    String missed() default "";

    /** {@code allow} (the default), {@code skip} or {@code replace}: a slot while the previous run has not finished. */
    String overlap() default "";

    /** A slot later than this (a duration such as {@code 5m}) never fires; none if empty. */
    String startingDeadline() default "";
}
