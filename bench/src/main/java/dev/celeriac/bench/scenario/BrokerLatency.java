package dev.celeriac.bench.scenario;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import dev.celeriac.bench.stack.Stack;
import dev.celeriac.protocol.names.BrokerArguments;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The broker's own open-loop latency at a rate, with Celeriac's guarantees and nothing else: the Celeriac no-op task
 * message published on its due time, persistent, mandatory and confirmed, into a quorum queue whose consumer acks each
 * delivery at once. Timed from each message's due time to its confirm and to its delivery, as the latency scenario
 * times Celeriac's submits: the floor that Celeriac's submit → start stands on at the same rate.
 */
final class BrokerLatency {

    private static final String QUEUE = "bench.latency";
    /** The header that carries a message's due time ({@link System#nanoTime}) to its consumer. */
    private static final String DUE = "x-bench-due";

    /** Due → confirmed and due → delivered, in microseconds, of the messages after the warm-up. */
    record Timings(Histogram confirmed, Histogram delivered) {}

    private BrokerLatency() {}

    static Timings measure(Stack stack, GetResponse template, int rate, Duration warmup, Duration duration)
            throws Exception {
        int warm = (int) (rate * warmup.toMillis() / 1000);
        int total = warm + (int) (rate * duration.toMillis() / 1000);
        var confirmed = Latency.histogram();
        var delivered = Latency.histogram();
        var allConfirmed = new CountDownLatch(total);
        var allDelivered = new CountDownLatch(total);
        try (Connection consumerConnection = stack.connect("bench-latency-consumer");
                Connection publisherConnection = stack.connect("bench-latency-publisher")) {
            Channel consumer = consumerConnection.createChannel();
            consumer.queueDeclare(
                    QUEUE, true, false, false, Map.of(BrokerArguments.QUEUE_TYPE, BrokerArguments.QUEUE_TYPE_QUORUM));
            consumer.basicQos(Baseline.PREFETCH);
            consumer.basicConsume(QUEUE, false, new DefaultConsumer(consumer) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties p, byte[] body)
                        throws IOException {
                    long now = System.nanoTime();
                    getChannel().basicAck(envelope.getDeliveryTag(), false);
                    if (p.getHeaders().get(DUE) instanceof Long due && due >= 0) {
                        delivered.recordValue(micros(due, now));
                    }
                    allDelivered.countDown();
                }
            });

            Channel publisher = publisherConnection.createChannel();
            publisher.confirmSelect();
            // Sequence number → due time of each publish not yet confirmed (negative: a warm-up publish).
            var unconfirmed = new ConcurrentHashMap<Long, Long>();
            publisher.addConfirmListener(
                    (sequence, multiple) -> settle(unconfirmed, sequence, multiple, confirmed, allConfirmed),
                    (sequence, multiple) -> {
                        throw new IllegalStateException("the broker nacked publish " + sequence);
                    });
            byte[] body = template.getBody();
            long interval = 1_000_000_000L / rate;
            long start = System.nanoTime();
            for (int i = 0; i < total; i++) {
                long due = start + i * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                long counted = i < warm ? -1 : due;
                var headers = new HashMap<>(template.getProps().getHeaders());
                headers.put(DUE, counted);
                var properties = template.getProps()
                        .builder()
                        .deliveryMode(2)
                        .headers(headers)
                        .build();
                unconfirmed.put(publisher.getNextPublishSeqNo(), counted);
                publisher.basicPublish("", QUEUE, true, properties, body);
            }
            if (!allConfirmed.await(2, TimeUnit.MINUTES) || !allDelivered.await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("broker latency: " + allConfirmed.getCount()
                        + " publishes unconfirmed, " + allDelivered.getCount() + " messages undelivered");
            }
            consumer.queueDelete(QUEUE);
        }
        return new Timings(confirmed, delivered);
    }

    /** Records the confirm of one publish, or of every one up to {@code sequence}; on the connection's one thread. */
    private static void settle(
            Map<Long, Long> unconfirmed, long sequence, boolean multiple, Histogram confirmed, CountDownLatch all) {
        long now = System.nanoTime();
        var settled = multiple
                ? unconfirmed.keySet().stream().filter(s -> s <= sequence).toList()
                : List.of(sequence);
        for (long s : settled) {
            Long due = unconfirmed.remove(s);
            if (due != null) {
                if (due >= 0) {
                    confirmed.recordValue(micros(due, now));
                }
                all.countDown();
            }
        }
    }

    private static long micros(long fromNanos, long toNanos) {
        return Math.max(0, (toNanos - fromNanos) / 1_000);
    }
}
