package dev.celeriac.api.internal.metrics;

import dev.celeriac.api.queues.QueueStatistics;
import dev.celeriac.api.queues.QueueStatistics.QueueView;
import dev.celeriac.protocol.names.MetricNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;

/**
 * Gauges read when they are scraped: per work queue its ready messages, consumers, workers alive and dead letters;
 * workers alive in all; events waiting for the recorder. A figure the broker cannot report reads 0.
 */
public final class ApiMetrics {

    public ApiMetrics(MeterRegistry registry, QueueStatistics statistics) {
        for (String queue : statistics.workQueues()) {
            perQueue(registry, MetricNames.QUEUE_DEPTH, statistics, queue, QueueView::ready);
            perQueue(registry, MetricNames.QUEUE_CONSUMERS, statistics, queue, QueueView::consumers);
            perQueue(registry, MetricNames.QUEUE_WORKERS, statistics, queue, QueueView::workers);
            perQueue(registry, MetricNames.DEAD_LETTER_DEPTH, statistics, queue, QueueView::deadLetters);
        }
        Gauge.builder(MetricNames.WORKERS_UP, statistics, s -> s.read().workersUp())
                .description("workers whose last heartbeat is under 10 s old")
                .register(registry);
        Gauge.builder(MetricNames.RECORDER_BACKLOG, statistics, s -> s.read().eventBacklog())
                .description("events waiting for the recorder")
                .register(registry);
    }

    private static void perQueue(
            MeterRegistry registry,
            String name,
            QueueStatistics statistics,
            String queue,
            ToDoubleFunction<QueueView> figure) {
        Gauge.builder(name, statistics, s -> figure.applyAsDouble(s.read().queue(queue)))
                .tag(MetricNames.TAG_QUEUE, queue)
                .register(registry);
    }
}
