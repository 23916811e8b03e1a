package dev.celeriac.api.metrics;

import dev.celeriac.protocol.names.MetricNames;
import dev.celeriac.protocol.names.TopologyNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.QueueInformation;

/**
 * Gauges read from the broker when they are scraped: ready messages and consumers of each work queue, messages in
 * its dead-letter queue, and events waiting for the recorder. A queue the broker cannot report counts as 0.
 */
public final class ApiMetrics {

    public ApiMetrics(MeterRegistry registry, AmqpAdmin admin, List<String> workQueues) {
        for (String queue : workQueues) {
            gauge(registry, MetricNames.QUEUE_DEPTH, admin, queue, q -> q.getMessageCount());
            gauge(registry, MetricNames.QUEUE_CONSUMERS, admin, queue, q -> q.getConsumerCount());
            gauge(
                    registry,
                    MetricNames.DEAD_LETTER_DEPTH,
                    admin,
                    TopologyNames.deadLetterQueue(queue),
                    queue,
                    q -> q.getMessageCount());
        }
        Gauge.builder(
                        MetricNames.RECORDER_BACKLOG,
                        admin,
                        a -> read(a, TopologyNames.EVENT_QUEUE, q -> q.getMessageCount()))
                .description("events waiting for the recorder")
                .register(registry);
    }

    private static void gauge(
            MeterRegistry registry, String name, AmqpAdmin admin, String queue, ToDoubleFunction<QueueInformation> f) {
        gauge(registry, name, admin, queue, queue, f);
    }

    private static void gauge(
            MeterRegistry registry,
            String name,
            AmqpAdmin admin,
            String brokerQueue,
            String tag,
            ToDoubleFunction<QueueInformation> f) {
        Gauge.builder(name, admin, a -> read(a, brokerQueue, f))
                .tag(MetricNames.TAG_QUEUE, tag)
                .register(registry);
    }

    private static double read(AmqpAdmin admin, String queue, ToDoubleFunction<QueueInformation> f) {
        try {
            QueueInformation info = admin.getQueueInfo(queue);
            return info == null ? 0 : f.applyAsDouble(info);
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
