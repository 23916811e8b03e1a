package dev.celeriac.bench.scenario;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import dev.celeriac.bench.report.Figure;
import dev.celeriac.bench.report.Results;
import dev.celeriac.bench.stack.Stack;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.protocol.names.BrokerArguments;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The broker's own limit with Celeriac's guarantees and nothing else: a real Celeriac no-op task message (properties,
 * headers, body), published persistent, mandatory and with publisher confirms into a quorum queue, consumed with a
 * manual ack per message. Every Celeriac throughput figure is reported as a ratio to this one.
 */
public final class Baseline implements Scenario {

    /** Unconfirmed publishes at once, as many as one {@code submitAll} batch of the Celeriac producer. */
    static final int CONFIRM_WINDOW = Load.BATCH;
    /** Unacked deliveries at once: a consumer tuned for throughput, not one slot per task. */
    static final int PREFETCH = 250;

    private final int messages;

    public Baseline(int messages) {
        this.messages = messages;
    }

    @Override
    public String name() {
        return "baseline";
    }

    @Override
    public void run(Stack stack, Results results) throws Exception {
        stack.reset();
        Stack.step("baseline: capturing a Celeriac no-op task message as the template");
        GetResponse template = template(stack);

        Stack.step(String.format(
                "baseline: %,d messages of %d bytes through a quorum queue", messages, template.getBody().length));
        try (Connection consumerConnection = stack.connect("bench-baseline-consumer");
                Connection publisherConnection = stack.connect("bench-baseline-publisher")) {
            Channel consumer = consumerConnection.createChannel();
            consumer.queueDeclare(
                    "bench.baseline",
                    true,
                    false,
                    false,
                    Map.of(BrokerArguments.QUEUE_TYPE, BrokerArguments.QUEUE_TYPE_QUORUM));
            consumer.basicQos(PREFETCH);
            var consumed = new CountDownLatch(messages);
            consumer.basicConsume("bench.baseline", false, new DefaultConsumer(consumer) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties p, byte[] body)
                        throws IOException {
                    getChannel().basicAck(envelope.getDeliveryTag(), false);
                    consumed.countDown();
                }
            });

            Channel publisher = publisherConnection.createChannel();
            publisher.confirmSelect();
            var window = new Semaphore(CONFIRM_WINDOW);
            var outstanding = new ConcurrentSkipListMap<Long, Boolean>();
            var nacks = new AtomicLong();
            publisher.addConfirmListener(
                    (sequence, multiple) -> settle(outstanding, window, sequence, multiple), (sequence, multiple) -> {
                        nacks.incrementAndGet();
                        settle(outstanding, window, sequence, multiple);
                    });
            var properties = template.getProps().builder().deliveryMode(2).build();
            byte[] body = template.getBody();

            long started = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                window.acquire();
                outstanding.put(publisher.getNextPublishSeqNo(), Boolean.TRUE);
                publisher.basicPublish("", "bench.baseline", true, properties, body);
            }
            if (!consumed.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("baseline: " + consumed.getCount() + " messages never arrived");
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            if (nacks.get() > 0) {
                throw new IllegalStateException("baseline: the broker nacked " + nacks.get() + " publishes");
            }
            consumer.queueDelete("bench.baseline");
            results.add(Figure.of(name(), "raw RabbitMQ msg/s", messages / seconds, "msg/s")
                    .noting(String.format(
                            "%,d messages of %d bytes, persistent, mandatory, confirms (window %d), quorum queue,"
                                    + " manual ack each (prefetch %d); %.2f s first publish to last ack",
                            messages, body.length, CONFIRM_WINDOW, PREFETCH, seconds)));
            results.setting("message bytes", body.length);
        }
    }

    /**
     * A Celeriac no-op task message as the producer sends it (properties, headers, body), taken from the default
     * queue of a stack that runs no worker.
     */
    static GetResponse template(Stack stack) throws Exception {
        GetResponse template;
        try (var producer = stack.producer(false);
                Connection connection = stack.connect("bench-template");
                Channel channel = connection.createChannel()) {
            producer.getBean(TaskClient.class).submit(TaskRequest.of("demo.noop"));
            template = channel.basicGet("default", true);
        }
        if (template == null) {
            throw new IllegalStateException("the template task message did not reach the queue default");
        }
        return template;
    }

    private static void settle(
            ConcurrentSkipListMap<Long, Boolean> outstanding, Semaphore window, long sequence, boolean multiple) {
        if (multiple) {
            var settled = outstanding.headMap(sequence, true);
            int count = settled.size();
            settled.clear();
            window.release(count);
        } else if (outstanding.remove(sequence) != null) {
            window.release();
        }
    }
}
