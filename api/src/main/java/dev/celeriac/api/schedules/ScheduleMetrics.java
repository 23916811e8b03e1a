package dev.celeriac.api.schedules;

import dev.celeriac.protocol.names.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** The scheduler's meters: slots fired, triggered, missed and skipped, and how late each fire was. */
final class ScheduleMetrics {

    private final MeterRegistry registry;

    ScheduleMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void fired(String schedule, Duration lateness) {
        count(schedule, MetricNames.FIRE_FIRED, 1);
        Timer.builder(MetricNames.SCHEDULE_LATENESS)
                .description("from a slot's time to its task's confirmed publish")
                .tag(MetricNames.TAG_SCHEDULE, schedule)
                .publishPercentileHistogram()
                .register(registry)
                .record(lateness.isNegative() ? Duration.ZERO : lateness);
    }

    void triggered(String schedule) {
        count(schedule, MetricNames.FIRE_TRIGGERED, 1);
    }

    void missed(String schedule, int slots) {
        count(schedule, MetricNames.FIRE_MISSED, slots);
    }

    void skipped(String schedule, int slots) {
        count(schedule, MetricNames.FIRE_SKIPPED, slots);
    }

    private void count(String schedule, String outcome, int slots) {
        if (slots > 0) {
            Counter.builder(MetricNames.SCHEDULE_FIRES)
                    .description("slots of a schedule dealt with by this API instance")
                    .tag(MetricNames.TAG_SCHEDULE, schedule)
                    .tag(MetricNames.TAG_OUTCOME, outcome)
                    .register(registry)
                    .increment(slots);
        }
    }
}
