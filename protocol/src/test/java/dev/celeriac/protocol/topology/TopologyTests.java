package dev.celeriac.protocol.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopologyTests {

    private final Topology topology =
            Topology.of(List.of(WorkQueue.quorum("default"), WorkQueue.priority("urgent", 9)), DelayLadder.DEFAULT);

    @Test
    void declaresAQuorumWorkQueueWithDeliveryLimitAndAtLeastOnceDeadLettering() {
        assertThat(topology.queue("default").arguments())
                .containsExactly(
                        Map.entry("x-queue-type", "quorum"),
                        Map.entry("x-delivery-limit", 10),
                        Map.entry("x-dead-letter-exchange", "celeriac.dead"),
                        Map.entry("x-dead-letter-routing-key", "default"),
                        Map.entry("x-dead-letter-strategy", "at-least-once"),
                        Map.entry("x-overflow", "reject-publish"));
        assertThat(topology.queue("default.dlq").arguments()).containsExactly(Map.entry("x-queue-type", "quorum"));
        assertThat(topology.bindings())
                .contains(
                        new BindingSpec("celeriac.tasks", "default", "default"),
                        new BindingSpec("celeriac.dead", "default.dlq", "default"));
    }

    @Test
    void givesEachWorkQueueAQuorumQuarantineThatDeadLettersToItsDeadLetterQueueOneDeliveryEarlier() {
        for (String queue : List.of("default", "urgent")) {
            assertThat(topology.queue(queue + ".suspect").arguments())
                    .containsExactly(
                            Map.entry("x-queue-type", "quorum"),
                            Map.entry("x-delivery-limit", 9),
                            Map.entry("x-dead-letter-exchange", "celeriac.dead"),
                            Map.entry("x-dead-letter-routing-key", queue),
                            Map.entry("x-dead-letter-strategy", "at-least-once"),
                            Map.entry("x-overflow", "reject-publish"));
        }
    }

    @Test
    void declaresAPriorityQueueAsAClassicQueueWithMaxPriority() {
        assertThat(topology.queue("urgent").arguments())
                .containsExactly(
                        Map.entry("x-max-priority", 9),
                        Map.entry("x-dead-letter-exchange", "celeriac.dead"),
                        Map.entry("x-dead-letter-routing-key", "urgent"),
                        Map.entry("x-overflow", "reject-publish"));
    }

    @Test
    void declaresOneFanoutExchangeAndTtlQueuePerDelayTierThatExpiresBackToTheTaskExchange() {
        assertThat(topology.exchanges())
                .contains(
                        new ExchangeSpec("celeriac.delay.1s", "fanout"),
                        new ExchangeSpec("celeriac.delay.1h", "fanout"));
        assertThat(topology.queue("celeriac.delay.30s").arguments())
                .containsExactly(
                        Map.entry("x-queue-type", "quorum"),
                        Map.entry("x-message-ttl", 30_000),
                        Map.entry("x-dead-letter-exchange", "celeriac.tasks"),
                        Map.entry("x-dead-letter-strategy", "at-least-once"),
                        Map.entry("x-overflow", "reject-publish"));
        assertThat(topology.bindings()).contains(new BindingSpec("celeriac.delay.2m", "celeriac.delay.2m", ""));
    }

    @Test
    void declaresTheEventExchangeAndADurableEventQueueForTheLedger() {
        assertThat(topology.exchanges()).contains(new ExchangeSpec("celeryev", "topic"));
        assertThat(topology.bindings())
                .contains(
                        new BindingSpec("celeryev", "celeriac.events", "task.#"),
                        new BindingSpec("celeryev", "celeriac.events", "worker.#"));
    }

    @Test
    void usesIntegersForEveryNumericArgumentAsPythonClientsDo() {
        topology.queues()
                .forEach(q -> q.arguments()
                        .values()
                        .forEach(value -> assertThat(value).isInstanceOfAny(String.class, Integer.class)));
    }

    @Test
    void addsMaxLengthOnlyWhenConfigured() {
        var bounded = new WorkQueue("bounded", QueueKind.QUORUM, 3, 500, 0);
        assertThat(Topology.workQueueArguments(bounded))
                .containsEntry("x-max-length", 500)
                .containsEntry("x-delivery-limit", 3);
    }

    @Test
    void refusesDuplicateReservedAndInvalidQueueNames() {
        assertThatIllegalArgumentException()
                .isThrownBy(
                        () -> Topology.of(List.of(WorkQueue.quorum("a"), WorkQueue.quorum("a")), DelayLadder.DEFAULT))
                .withMessage("work queue 'a' is configured twice");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Topology.of(List.of(WorkQueue.quorum("celeriac.events")), DelayLadder.DEFAULT))
                .withMessageContaining("reserved");
        for (String derived : List.of("a.dlq", "a.suspect")) {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> Topology.of(List.of(WorkQueue.quorum(derived)), DelayLadder.DEFAULT))
                    .withMessageContaining("reserved");
        }
        assertThatIllegalArgumentException()
                .isThrownBy(() -> WorkQueue.quorum("amq.gen-1"))
                .withMessageContaining("amq.");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> WorkQueue.quorum("a.#"))
                .withMessageContaining("may contain only");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new WorkQueue("q", QueueKind.QUORUM, 0, null, 0))
                .withMessageContaining("delivery limit");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> WorkQueue.priority("q", 10))
                .withMessageContaining("max priority");
    }

    @Test
    void refusesTiersOutsideWhatABrokerTtlCanHold() {
        assertThatIllegalArgumentException().isThrownBy(() -> DelayLadder.of(Duration.ZERO));
        assertThatIllegalArgumentException().isThrownBy(() -> DelayLadder.of(Duration.ofDays(30)));
        assertThatIllegalArgumentException().isThrownBy(() -> DelayLadder.of(List.of()));
    }
}
