package dev.celeriac.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.LongString;
import dev.celeriac.producer.amqp.AmqpTaskMessages;
import dev.celeriac.protocol.message.CeleryTimes;
import dev.celeriac.protocol.message.MalformedMessageException;
import dev.celeriac.protocol.message.TaskBody;
import dev.celeriac.protocol.message.TaskHeaders;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.message.TaskMessageCodec;
import dev.celeriac.protocol.message.TaskProperties;
import dev.celeriac.protocol.topology.Topology;
import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import dev.celeriac.testsupport.broker.RabbitCluster;
import dev.celeriac.testsupport.broker.RabbitEndpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.json.JsonMapper;

/**
 * The task client as an application uses it: Spring Boot with the Celeriac starter, on a real RabbitMQ, in a virtual
 * host of its own.
 */
class TaskClientIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    private static ConfigurableApplicationContext context;
    private static Connection raw;
    private static final TaskMessageCodec codec = new TaskMessageCodec();
    private static final JsonMapper json = JsonMapper.builder().build();

    @BeforeAll
    static void start() throws Exception {
        var properties = new ArrayList<String>();
        rabbit.endpoint().springProperties().forEach((k, v) -> properties.add(k + "=" + v));
        properties.add("celeriac.topology.queues.default.kind=quorum");
        // A classic queue applies x-max-length exactly; a quorum queue only approximately under pipelining.
        properties.add("celeriac.topology.queues.tiny.kind=priority");
        properties.add("celeriac.topology.queues.tiny.max-length=1");
        properties.add("celeriac.topology.queues.poison.delivery-limit=2");
        properties.add("celeriac.topology.queues.urgent.kind=priority");
        properties.add("celeriac.producer.confirm-timeout=3s");
        context = new SpringApplicationBuilder(App.class)
                .properties(properties.toArray(String[]::new))
                .run();
        raw = rabbit.endpoint().connectionFactory().newConnection();
    }

    @AfterAll
    static void stop() throws Exception {
        if (raw != null) {
            raw.close();
        }
        if (context != null) {
            context.close();
        }
    }

    private static TaskClient client() {
        return context.getBean(TaskClient.class);
    }

    private static GetResponse poll(Channel channel, String queue, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            GetResponse response = channel.basicGet(queue, false);
            if (response != null) {
                return response;
            }
            Thread.sleep(10);
        }
        return null;
    }

    private static TaskMessage decode(GetResponse response) {
        var props = response.getProps();
        var headers = new LinkedHashMap<String, Object>();
        if (props.getHeaders() != null) {
            props.getHeaders().forEach((k, v) -> headers.put(k, v == null ? null : plain(v)));
        }
        return codec.decode(
                new TaskProperties(
                        props.getContentType(),
                        props.getContentEncoding(),
                        props.getCorrelationId(),
                        props.getReplyTo(),
                        props.getPriority(),
                        Integer.valueOf(2).equals(props.getDeliveryMode()),
                        props.getExpiration()),
                headers,
                response.getBody());
    }

    /** The raw Java client hands header strings over as LongString; the codec reads strings. */
    private static Object plain(Object value) {
        if (value instanceof LongString s) {
            return s.toString();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(v -> v == null ? null : plain(v)).toList();
        }
        return value;
    }

    @Test
    void declaresEveryQueueWithTheExactArgumentsAndTypesOfTheTopology() {
        Topology topology = context.getBean(Topology.class);
        client().submit("demo.noop"); // the topology is declared when the first connection opens
        var onBroker = BrokerQueues.list(rabbit.broker(), rabbit.endpoint().virtualHost());
        assertThat(onBroker.keySet())
                .containsAll(topology.queues().stream().map(q -> q.name()).toList())
                .contains(
                        "default",
                        "default.dlq",
                        "tiny",
                        "urgent",
                        "celeriac.delay.1s",
                        "celeriac.delay.1h",
                        "celeriac.events");
        for (var queue : topology.queues()) {
            assertThat(onBroker.get(queue.name())).as(queue.name()).isEqualTo(BrokerQueues.expected(queue.arguments()));
        }
    }

    @Test
    void submitsAConfirmedPersistentCeleryV2MessageToItsQueue() throws Exception {
        TaskHandle handle = client().submit(
                        "demo.add",
                        List.of(2, 3),
                        Map.of("round", true),
                        SubmitOptions.defaults().withMaxRetries(4).withReplyTo("replies"));

        assertThat(handle.queue()).isEqualTo("default");
        assertThat(handle.task()).isEqualTo("demo.add");
        assertThat(handle.eta()).isNull();
        try (Channel channel = raw.createChannel()) {
            GetResponse response = null;
            // Earlier tests may have left no-ops in the queue; find this task by id.
            for (int i = 0;
                    i < 100
                            && (response == null
                                    || !handle.id().equals(response.getProps().getCorrelationId()));
                    i++) {
                response = poll(channel, "default", Duration.ofSeconds(5));
            }
            assertThat(response).isNotNull();
            assertThat(response.getProps().getDeliveryMode()).isEqualTo(2);
            assertThat(response.getProps().getContentType()).isEqualTo("application/json");
            assertThat(response.getEnvelope().getExchange()).isEqualTo("celeriac.tasks");
            TaskMessage message = decode(response);
            assertThat(message.id()).isEqualTo(handle.id());
            assertThat(message.task()).isEqualTo("demo.add");
            assertThat(message.body().args()).isEqualTo(json.readTree("[2,3]"));
            assertThat(message.body().kwargs()).isEqualTo(json.readTree("{\"round\":true}"));
            assertThat(message.headers().lang()).isEqualTo("java");
            assertThat(message.headers().rootId()).isEqualTo(handle.id());
            assertThat(message.headers().argsrepr()).isEqualTo("[2,3]");
            assertThat(message.headers().extra()).containsEntry("x-celeriac-max-retries", 4);
            assertThat(message.properties().replyTo()).isEqualTo("replies");
            channel.basicAck(response.getEnvelope().getDeliveryTag(), false);
        }
        assertThat(context.getBean(MeterRegistry.class)
                        .get("celeriac.tasks.submitted")
                        .tags("task", "demo.add", "queue", "default", "outcome", "accepted")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void carriesCountdownAsAnEtaHeader() throws Exception {
        Instant before = Instant.now();
        TaskHandle handle = client().submit(
                        "demo.add",
                        List.of(1, 1),
                        Map.of(),
                        SubmitOptions.defaults()
                                .withCountdown(Duration.ofSeconds(30))
                                .withQueue("urgent"));
        Instant after = Instant.now();
        try (Channel channel = raw.createChannel()) {
            GetResponse response = null;
            // Other tests publish to this queue too; find this task by id.
            for (int i = 0;
                    i < 500
                            && (response == null
                                    || !handle.id().equals(response.getProps().getCorrelationId()));
                    i++) {
                response = poll(channel, "urgent", Duration.ofSeconds(5));
            }
            assertThat(response).isNotNull();
            TaskMessage message = decode(response);
            assertThat(message.id()).isEqualTo(handle.id());
            // The header a worker reads, not just the handle: the countdown became an ETA 30 s from the submit.
            assertThat(response.getProps().getHeaders().get("eta").toString())
                    .isEqualTo(CeleryTimes.format(message.headers().eta()));
            assertThat(message.headers().eta())
                    .isEqualTo(handle.eta().truncatedTo(ChronoUnit.MICROS))
                    .isBetween(before.plusSeconds(30), after.plusSeconds(30));
            channel.basicNack(response.getEnvelope().getDeliveryTag(), false, true);
        }
    }

    @Test
    void refusesArgumentsAWorkerWouldRefuseBeforeSendingAnything() throws Exception {
        Object deep = List.of();
        for (int i = 0; i < 70; i++) {
            deep = List.of(deep);
        }
        long before;
        try (Channel channel = raw.createChannel()) {
            before = channel.queueDeclarePassive("tiny").getMessageCount();
        }
        Object tooDeep = deep;
        assertThatThrownBy(() -> client().submit("demo.echo", List.of(tooDeep), Map.of(), tiny()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("args is nested more than 63 levels deep, which a task's arguments may not be");
        assertThatThrownBy(() -> client().submit("demo.echo", List.of(), Map.of("x", Double.NaN), tiny()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kwargs.x is NaN");
        assertThatThrownBy(() -> client().submit("demo.echo", List.of(Double.POSITIVE_INFINITY), Map.of(), tiny()))
                .hasMessageContaining("args[0] is Infinity");
        try (Channel channel = raw.createChannel()) {
            assertThat(channel.queueDeclarePassive("tiny").getMessageCount()).isEqualTo(before);
        }
    }

    private static SubmitOptions tiny() {
        return SubmitOptions.defaults().withQueue("tiny");
    }

    @Test
    void sendsATaskSentEventAgainUntilTheBrokerTakesIt() throws Exception {
        String queue = "sent-events-watch";
        try (Channel channel = raw.createChannel()) {
            // With no queue bound for task events the broker returns them, as it would lose them if one were full.
            channel.queueUnbind("celeriac.events", "celeryev", "task.#");
            var resent = context.getBean(MeterRegistry.class).counter("celeriac.sent.events.resent");
            double before = resent.count();
            TaskHandle handle = client().submit("demo.noop");
            // The broker returned the first send: it is being sent again.
            await().atMost(Duration.ofSeconds(10)).until(() -> resent.count() > before);
            channel.queueDeclare(queue, false, true, true, null);
            channel.queueBind(queue, "celeryev", "task.#");
            channel.queueBind("celeriac.events", "celeryev", "task.#");
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                GetResponse event = channel.basicGet(queue, true);
                String body = event == null ? "" : new String(event.getBody(), StandardCharsets.UTF_8);
                return body.contains("task-sent") && body.contains(handle.id());
            });
        } finally {
            try (Channel channel = raw.createChannel()) {
                channel.queueBind("celeriac.events", "celeryev", "task.#");
            }
        }
    }

    @Test
    void confirmsABatchAndStoresEveryTaskOfIt() throws Exception {
        String queue = "urgent";
        long before;
        try (Channel channel = raw.createChannel()) {
            before = channel.queueDeclarePassive(queue).getMessageCount();
        }
        List<TaskRequest> requests = IntStream.range(0, 200)
                .mapToObj(i -> new TaskRequest(
                        "demo.add",
                        List.of(i, i),
                        Map.of(),
                        SubmitOptions.defaults().withQueue(queue)))
                .toList();

        List<TaskHandle> handles = client().submitAll(requests);

        assertThat(handles).hasSize(200);
        assertThat(handles).extracting(TaskHandle::id).doesNotHaveDuplicates();
        try (Channel channel = raw.createChannel()) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> channel.queueDeclarePassive(queue).getMessageCount() == before + 200);
        }
    }

    @Test
    void deliversHigherPriorityFirstOnAPriorityQueue() throws Exception {
        try (Channel channel = raw.createChannel()) {
            channel.queuePurge("urgent");
            for (int priority : new int[] {1, 9, 5}) {
                client().submit(
                                "demo.add",
                                List.of(priority),
                                Map.of(),
                                SubmitOptions.defaults().withQueue("urgent").withPriority(priority));
            }
            var order = new ArrayList<Integer>();
            for (int i = 0; i < 3; i++) {
                GetResponse response = poll(channel, "urgent", Duration.ofSeconds(5));
                order.add(response.getProps().getPriority());
                channel.basicAck(response.getEnvelope().getDeliveryTag(), false);
            }
            assertThat(order).containsExactly(9, 5, 1);
        }
    }

    @Test
    void reportsATaskForAMissingQueueAsReturnedNotAccepted() {
        assertThatThrownBy(() -> client().submit(
                                "demo.add",
                                List.of(1, 2),
                                Map.of(),
                                SubmitOptions.defaults().withQueue("nowhere")))
                .isInstanceOfSatisfying(PublishReturnedException.class, e -> {
                    assertThat(e.replyCode()).isEqualTo(312);
                    assertThat(e.isTransient()).isFalse();
                    assertThat(e.getMessage()).contains("queue 'nowhere'").contains("NO_ROUTE");
                });
    }

    @Test
    void reportsATaskRefusedByAFullQueueAsNackedAndKeepsEveryAcceptedOne() throws Exception {
        try (Channel channel = raw.createChannel()) {
            channel.queuePurge("tiny");
        }
        int accepted = 0;
        PublishNackedException refused = null;
        for (int i = 0; i < 10 && refused == null; i++) {
            try {
                client().submit(
                                "demo.noop",
                                List.of(),
                                Map.of(),
                                SubmitOptions.defaults().withQueue("tiny"));
                accepted++;
            } catch (PublishNackedException e) {
                refused = e;
            }
        }
        assertThat(refused).as("a full queue refuses").isNotNull();
        assertThat(refused.isTransient()).isTrue();
        assertThat(refused.getMessage()).contains("queue 'tiny'");
        assertThat(accepted).isEqualTo(1);
        try (Channel channel = raw.createChannel()) {
            assertThat(channel.queueDeclarePassive("tiny").getMessageCount()).isEqualTo(accepted);
        }
    }

    @Test
    void reportsAPartlyRefusedBatchWithWhatWasAcceptedAndWhatNot() throws Exception {
        try (Channel channel = raw.createChannel()) {
            channel.queuePurge("tiny");
        }
        List<TaskRequest> requests = IntStream.range(0, 10)
                .mapToObj(i -> new TaskRequest(
                        "demo.noop",
                        List.of(),
                        Map.of(),
                        SubmitOptions.defaults().withQueue("tiny")))
                .toList();
        var thrown = new ArrayList<BatchPublishException>();
        try {
            client().submitAll(requests);
        } catch (BatchPublishException e) {
            thrown.add(e);
        }
        assertThat(thrown).singleElement().satisfies(e -> {
            assertThat(e.accepted().size() + e.failures().size()).isEqualTo(10);
            assertThat(e.accepted()).hasSize(1);
            assertThat(e.failures()).hasSize(9);
            assertThat(e.failures().values()).allMatch(PublishNackedException.class::isInstance);
            assertThat(e.getMessage()).startsWith(e.failures().size() + " of 10 tasks were not taken");
            assertThat(e.isTransient()).isTrue();
        });
        try (Channel channel = raw.createChannel()) {
            assertThat(channel.queueDeclarePassive("tiny").getMessageCount())
                    .isEqualTo(thrown.getFirst().accepted().size());
        }
    }

    /** An argument whose property cannot be read. */
    record Unreadable(String value) {
        @Override
        public String value() {
            throw new IllegalStateException("cannot be read");
        }
    }

    @Test
    void rejectsInvalidRequestsBeforeSendingAnything() {
        assertThatThrownBy(() -> client().submit("amq.evil"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("task name must not start with 'amq.'");
        assertThatThrownBy(() -> client().submit("demo.add", List.of(new Object()), Map.of(), SubmitOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be written as JSON");
        assertThatThrownBy(() ->
                        client().submit("demo.add", List.of(new Unreadable("x")), Map.of(), SubmitOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be written as JSON");
        assertThatThrownBy(() -> SubmitOptions.defaults().withPriority(10))
                .hasMessage("priority must be 0 to 9, was 10");
        assertThatThrownBy(() -> client().submit(
                                "demo.add",
                                List.of(),
                                Map.of(),
                                SubmitOptions.defaults()
                                        .withExpires(Instant.now().minusSeconds(1))))
                .hasMessageContaining("is not in the future");
        assertThatThrownBy(() -> client().submitAll(List.of(TaskRequest.of("demo.ok"), TaskRequest.of("bad name"))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void routesATaskThroughADelayTierBackToItsWorkQueueWithinTheTtlPlusOneSecond() throws Exception {
        TaskMessage message = buildMessage("delayed-1");
        var template = new RabbitTemplate(context.getBean(ConnectionFactory.class));
        template.setMandatory(true);
        var correlation = new CorrelationData("delayed-1");
        try (Channel channel = raw.createChannel()) {
            channel.queuePurge("default");
            long sent = System.nanoTime();
            template.send(
                    "celeriac.delay.1s", "default", AmqpTaskMessages.toMessage(codec.encode(message)), correlation);
            assertThat(correlation.getFuture().get(5, TimeUnit.SECONDS).ack()).isTrue();
            assertThat(correlation.getReturned()).isNull();

            GetResponse back = poll(channel, "default", Duration.ofSeconds(5));
            long elapsedMs = (System.nanoTime() - sent) / 1_000_000;

            assertThat(back).as("message came back from the delay tier").isNotNull();
            assertThat(elapsedMs).isBetween(1_000L, 2_000L);
            TaskMessage arrived = decode(back);
            assertThat(arrived.headers().toBuilder().extra(Map.of()).build()).isEqualTo(message.headers());
            assertThat(arrived.body()).isEqualTo(message.body());
            assertThat(arrived.properties()).isEqualTo(message.properties());
            @SuppressWarnings("unchecked")
            var death = (Map<String, Object>)
                    ((List<?>) back.getProps().getHeaders().get("x-death")).getFirst();
            assertThat(death.get("queue").toString()).isEqualTo("celeriac.delay.1s");
            assertThat(death.get("reason").toString()).isEqualTo("expired");
            channel.basicAck(back.getEnvelope().getDeliveryTag(), false);
        }
    }

    private static TaskMessage buildMessage(String id) {
        return new TaskMessage(
                TaskProperties.forTask(id),
                TaskHeaders.builder("demo.add", id).build(),
                new TaskBody((tools.jackson.databind.node.ArrayNode) json.readTree("[4,5]"), null, null));
    }

    @Test
    void deadLettersARejectedMessageIntoItsQueuesDeadLetterQueue() throws Exception {
        TaskHandle handle = client().submit(
                        "demo.fail",
                        List.of("boom"),
                        Map.of(),
                        SubmitOptions.defaults().withQueue("urgent"));
        try (Channel channel = raw.createChannel()) {
            channel.queuePurge("urgent.dlq");
            GetResponse response;
            do {
                response = poll(channel, "urgent", Duration.ofSeconds(5));
                assertThat(response).isNotNull();
                if (!handle.id().equals(response.getProps().getCorrelationId())) {
                    channel.basicAck(response.getEnvelope().getDeliveryTag(), false);
                }
            } while (!handle.id().equals(response.getProps().getCorrelationId()));
            channel.basicReject(response.getEnvelope().getDeliveryTag(), false);

            GetResponse dead = poll(channel, "urgent.dlq", Duration.ofSeconds(5));
            assertThat(dead).isNotNull();
            assertThat(decode(dead).id()).isEqualTo(handle.id());
            assertThat(dead.getProps().getHeaders().get("x-first-death-reason").toString())
                    .isEqualTo("rejected");
            assertThat(dead.getProps().getHeaders().get("x-first-death-queue").toString())
                    .isEqualTo("urgent");
            channel.basicAck(dead.getEnvelope().getDeliveryTag(), false);
        }
    }

    @Test
    void quarantinesAMessageThatKeepsFailingAfterItsDeliveryLimit() throws Exception {
        TaskHandle handle = client().submit(
                        "demo.crash",
                        List.of(),
                        Map.of(),
                        SubmitOptions.defaults().withQueue("poison"));
        try (Channel channel = raw.createChannel()) {
            int deliveries = 0;
            GetResponse response;
            while ((response = poll(channel, "poison", Duration.ofSeconds(2))) != null) {
                deliveries++;
                channel.basicNack(response.getEnvelope().getDeliveryTag(), false, true); // as a crashed worker would
            }
            assertThat(deliveries).isEqualTo(3); // the first delivery and two redeliveries (delivery limit 2)
            GetResponse dead = poll(channel, "poison.dlq", Duration.ofSeconds(5));
            assertThat(dead).isNotNull();
            assertThat(decode(dead).id()).isEqualTo(handle.id());
            assertThat(dead.getProps().getHeaders().get("x-first-death-reason").toString())
                    .isEqualTo("delivery_limit");
            channel.basicAck(dead.getEnvelope().getDeliveryTag(), false);
        }
    }

    /**
     * The alarm is raised on a RabbitMQ node of the test's own: the machine's broker serves other tests at the same
     * time, whose publishers it would block too.
     */
    @Test
    void timesOutWhenTheBrokerBlocksPublishersAndStoresTheTaskOnceTheAlarmClears() throws Exception {
        try (var node = RabbitCluster.start(1);
                var alarmed = new SpringApplicationBuilder(App.class)
                        .properties(
                                "spring.rabbitmq.addresses=" + node.addresses(),
                                "spring.rabbitmq.username=" + node.username(),
                                "spring.rabbitmq.password=" + node.password(),
                                "celeriac.topology.queues.urgent.kind=priority",
                                "celeriac.producer.confirm-timeout=3s")
                        .run()) {
            TaskClient client = alarmed.getBean(TaskClient.class);
            var endpoint = new RabbitEndpoint(
                    "127.0.0.1", node.nodes().getFirst().port(), node.username(), node.password(), "/");
            String taskId = "blocked-" + System.nanoTime();
            node.rabbitmqctl("set_vm_memory_high_watermark", "0.0000001");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> node.rabbitmqctl("eval", "rabbit_alarm:get_alarms().")
                            .contains("memory"));
            assertThatThrownBy(() -> client.submit(
                            "demo.add",
                            List.of(1),
                            Map.of(),
                            SubmitOptions.defaults().withQueue("urgent").withTaskId(taskId)))
                    .isInstanceOfSatisfying(PublishTimeoutException.class, e -> {
                        assertThat(e.taskId()).isEqualTo(taskId);
                        assertThat(e.isTransient()).isTrue();
                        assertThat(e.getMessage()).contains("within 3000 ms").contains("same task id");
                    });
            node.rabbitmqctl("set_vm_memory_high_watermark", "0.4");

            // A time-out means "unknown", not "lost": once the alarm clears the blocked publish lands.
            try (Connection connection = endpoint.connectionFactory().newConnection();
                    Channel channel = connection.createChannel()) {
                GetResponse response = poll(channel, "urgent", Duration.ofSeconds(30));
                assertThat(response).isNotNull();
                assertThat(response.getProps().getCorrelationId()).isEqualTo(taskId);
                channel.basicAck(response.getEnvelope().getDeliveryTag(), false);
            }
            assertThat(client.submit(
                                    "demo.add",
                                    List.of(1),
                                    Map.of(),
                                    SubmitOptions.defaults().withQueue("urgent"))
                            .id())
                    .isNotBlank();
        }
    }

    @Test
    void rejectsAMalformedMessageWithATypedErrorThroughTheAmqpBridge() {
        var properties = new MessageProperties();
        properties.setContentType("application/json");
        properties.setHeader("task", "demo.add");
        properties.setHeader("id", "x");
        assertThatThrownBy(() -> AmqpTaskMessages.decode(codec, new Message("{not json".getBytes(), properties)))
                .isInstanceOfSatisfying(
                        MalformedMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(MalformedMessageException.Reason.NOT_JSON));
    }
}
