package dev.celeriac.worker.internal.consume;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.ConnectionFactory;
import dev.celeriac.producer.amqp.AmqpTaskMessages;
import dev.celeriac.producer.amqp.BrokerConnections;
import dev.celeriac.protocol.control.RateLimit;
import dev.celeriac.protocol.message.Embed;
import dev.celeriac.protocol.message.TaskBody;
import dev.celeriac.protocol.message.TaskHeaders;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.message.TaskMessageCodec;
import dev.celeriac.protocol.message.TaskProperties;
import dev.celeriac.protocol.names.MessageHeaders;
import dev.celeriac.worker.CeleriacTask;
import dev.celeriac.worker.internal.control.Revocations;
import dev.celeriac.worker.internal.deadletter.DeadLetterReason;
import dev.celeriac.worker.internal.dispatch.TaskRegistry;
import dev.celeriac.worker.internal.workflow.Continuations;
import dev.celeriac.worker.ratelimit.GlobalRateLimits;
import dev.celeriac.worker.ratelimit.RateLimiter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import tools.jackson.databind.json.JsonMapper;

class GateTests {

    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

    private final TaskMessageCodec codec = new TaskMessageCodec();
    private final Revocations revocations = new Revocations(Duration.ofHours(1), Clock.fixed(NOW, ZoneOffset.UTC));
    private final AtomicLong nanos = new AtomicLong();
    private final RateLimiter limiter = new RateLimiter(Map.of(), nanos::get, (task, limit) -> {});
    private final GlobalRateLimits globalLimits = new GlobalRateLimits(
            Map.of("gate.add.fleet", RateLimit.parse("1/s")),
            Map::of,
            new BrokerConnections(new ConnectionFactory(), List.of(new Address("127.0.0.1"))),
            null,
            null,
            "w1@host");
    private final Gate gate = new Gate(
            codec,
            registry(),
            revocations,
            limiter,
            globalLimits,
            new Continuations(null, codec, "default", "w1@host", Clock.fixed(NOW, ZoneOffset.UTC)),
            Clock.fixed(NOW, ZoneOffset.UTC),
            "w1@host");

    /** A task the gate's registry knows. */
    public static class Tasks {
        @CeleriacTask(name = "gate.add")
        public int add(int a, int b) {
            return a + b;
        }

        @CeleriacTask(name = "gate.limited", rateLimit = "2/s")
        public void limited() {}

        @CeleriacTask(name = "gate.fleet", globalRateLimit = "5/s", rateLimit = "2/s")
        public void fleet() {}

        @CeleriacTask(name = "gate.add.fleet")
        public void configured() {}
    }

    @Test
    void admitsAKnownCurrentDueTaskToRun() {
        Admission admission = gate.admit(message("gate.add", h -> h), false);

        assertThat(admission).isInstanceOfSatisfying(Admission.Run.class, run -> {
            assertThat(run.task().id()).isEqualTo("t1");
            assertThat(run.definition().name()).isEqualTo("gate.add");
            assertThat(run.admittedAt()).isEqualTo(NOW);
        });
    }

    @Test
    void sendsARedeliveryToItsQuarantineUnlessItComesFromThere() {
        Message redelivered = message("gate.add", h -> h);
        redelivered.getMessageProperties().setRedelivered(true);

        assertThat(settled(gate.admit(redelivered, false))).isInstanceOf(Outcome.Quarantined.class);
        assertThat(settled(gate.admit(redelivered, true))).isInstanceOf(Admission.Run.class);
    }

    @Test
    void rejectsAMessageItCannotDecodeUnderItsCorrelationId() {
        var properties = new MessageProperties();
        properties.setCorrelationId("c9");
        properties.setContentType("application/json");
        Message garbage = new Message("not json".getBytes(StandardCharsets.UTF_8), properties);

        assertThat(settled(gate.admit(garbage, false))).isInstanceOfSatisfying(Outcome.Rejected.class, reject -> {
            assertThat(reject.id()).isEqualTo("c9");
            assertThat(reject.name()).isEqualTo(Gate.MALFORMED);
            assertThat(reject.task()).isNull();
            assertThat(reject.reason()).isEqualTo(DeadLetterReason.MALFORMED);
        });
    }

    @Test
    void rejectsATaskNoOneHereRegisteredNamingTheWorker() {
        assertThat(settled(gate.admit(message("gate.nope", h -> h), false)))
                .isInstanceOfSatisfying(Outcome.Rejected.class, reject -> {
                    assertThat(reject.reason()).isEqualTo(DeadLetterReason.UNKNOWN_TASK);
                    assertThat(reject.task().task()).isEqualTo("gate.nope");
                    assertThat(reject.detail()).isEqualTo("no task 'gate.nope' is registered on worker w1@host");
                });
    }

    @Test
    void rejectsBeforeItRunsATaskWhoseWorkflowCouldNotBeContinuedHere() {
        var chord = JsonMapper.builder().build().readTree("{\"task\": \"gate.add\", \"options\": {}}");
        var inChord = new TaskMessage(
                TaskProperties.forTask("t1"),
                TaskHeaders.builder("gate.add", "t1").build(),
                new TaskBody(null, null, new Embed(null, null, null, chord)));
        var chained = new TaskMessage(
                TaskProperties.forTask("t1"),
                TaskHeaders.builder("gate.add", "t1").build(),
                new TaskBody(
                        null,
                        null,
                        new Embed(
                                null,
                                null,
                                JsonMapper.builder().build().readTree("[{\"task\": \"gate.add\", \"args\": [1]}]"),
                                null)));

        assertThat(settled(gate.admit(AmqpTaskMessages.toMessage(codec.encode(inChord)), false)))
                .isInstanceOfSatisfying(Outcome.Rejected.class, reject -> {
                    assertThat(reject.reason()).isEqualTo(DeadLetterReason.UNSUPPORTED_WORKFLOW);
                    assertThat(reject.detail()).contains("chord");
                });
        assertThat(settled(gate.admit(AmqpTaskMessages.toMessage(codec.encode(chained)), false)))
                .isInstanceOf(Admission.Run.class);
    }

    @Test
    void dropsAnExpiredTaskAtItsExpiryAndARevokedOne() {
        assertThat(settled(gate.admit(message("gate.add", h -> h.expires(NOW)), false)))
                .isEqualTo(new Outcome.Revoked(decoded("gate.add", h -> h.expires(NOW)), Revocation.EXPIRED, null));
        assertThat(settled(gate.admit(message("gate.add", h -> h.expires(NOW.plusMillis(1))), false)))
                .isInstanceOf(Admission.Run.class);

        revocations.revoke("t1", false);

        assertThat(settled(gate.admit(message("gate.add", h -> h), false)))
                .isInstanceOfSatisfying(
                        Outcome.Revoked.class, drop -> assertThat(drop.why()).isEqualTo(Revocation.REVOKED));
    }

    @Test
    void defersATaskDueLaterForTheTimeThatRemains() {
        assertThat(settled(gate.admit(message("gate.add", h -> h.eta(NOW.plusSeconds(90))), false)))
                .isInstanceOfSatisfying(
                        Outcome.Deferred.class,
                        defer -> assertThat(defer.remaining()).isEqualTo(Duration.ofSeconds(90)));
        assertThat(settled(gate.admit(message("gate.add", h -> h.eta(NOW)), false)))
                .isInstanceOf(Admission.Run.class);
    }

    @Test
    void anExpiredTaskIsDroppedBeforeItsRevocationOrItsEtaAreLookedAt() {
        revocations.revoke("t1", false);

        assertThat(settled(gate.admit(message("gate.add", h -> h.expires(NOW).eta(NOW.plusSeconds(5))), false)))
                .isInstanceOfSatisfying(
                        Outcome.Revoked.class, drop -> assertThat(drop.why()).isEqualTo(Revocation.EXPIRED));
    }

    @Test
    void throttlesARunPastItsTaskTypesRateLimitForTheTimeUntilItsTurnWithoutHoldingUpOtherTypes() {
        assertThat(settled(gate.admit(message("gate.limited", h -> h), false))).isInstanceOf(Admission.Run.class);

        assertThat(settled(gate.admit(message("gate.limited", h -> h), false)))
                .isInstanceOfSatisfying(
                        Outcome.Throttled.class,
                        throttle -> assertThat(throttle.delay()).isEqualTo(Duration.ofMillis(500)));
        assertThat(settled(gate.admit(message("gate.add", h -> h), false))).isInstanceOf(Admission.Run.class);

        nanos.addAndGet(Duration.ofMillis(500).toNanos());
        assertThat(settled(gate.admit(message("gate.limited", h -> h), false))).isInstanceOf(Admission.Run.class);
    }

    @Test
    void parksATaskOfATypeWithAGlobalLimitUntilItIsReleasedAndThenTakesOnlyThisWorkersTurn() {
        assertThat(settled(gate.admit(message("gate.fleet", h -> h), false)))
                .isInstanceOfSatisfying(
                        Outcome.Parked.class,
                        park -> assertThat(park.task().task()).isEqualTo("gate.fleet"));
        // The configuration gives a type without a declared global limit one.
        assertThat(settled(gate.admit(message("gate.add.fleet", h -> h), false)))
                .isInstanceOf(Outcome.Parked.class);

        assertThat(settled(gate.admit(released("gate.fleet"), false))).isInstanceOf(Admission.Run.class);
        // Released, it still keeps to this worker's own limit of 2/s.
        assertThat(settled(gate.admit(released("gate.fleet"), false))).isInstanceOf(Outcome.Throttled.class);
        assertThat(settled(gate.admit(released("gate.add.fleet"), false))).isInstanceOf(Admission.Run.class);
    }

    @Test
    void aTaskDueLaterIsDeferredBeforeItIsParked() {
        assertThat(settled(gate.admit(message("gate.fleet", h -> h.eta(NOW.plusSeconds(5))), false)))
                .isInstanceOf(Outcome.Deferred.class);
    }

    @Test
    void aTaskDueLaterIsDeferredWithoutTakingItsTaskTypesTurn() {
        assertThat(settled(gate.admit(message("gate.limited", h -> h.eta(NOW.plusSeconds(5))), false)))
                .isInstanceOf(Outcome.Deferred.class);
        assertThat(settled(gate.admit(message("gate.limited", h -> h), false))).isInstanceOf(Admission.Run.class);
    }

    /** What an admission stands for: the outcome it settles with, or the run. */
    private static Object settled(Admission admission) {
        return admission instanceof Admission.Settle settle ? settle.outcome() : admission;
    }

    private static TaskRegistry registry() {
        var registry = new TaskRegistry();
        registry.postProcessAfterInitialization(new Tasks(), "tasks");
        return registry;
    }

    private Message released(String task) {
        Message message = message(task, h -> h);
        message.getMessageProperties().setHeader(MessageHeaders.RATE_LIMIT_RELEASED, NOW.toString());
        return message;
    }

    private TaskMessage decoded(String task, UnaryOperator<TaskHeaders.Builder> headers) {
        return AmqpTaskMessages.decode(codec, message(task, headers));
    }

    private Message message(String task, UnaryOperator<TaskHeaders.Builder> headers) {
        var message = new TaskMessage(
                TaskProperties.forTask("t1"),
                headers.apply(TaskHeaders.builder(task, "t1")).build(),
                new TaskBody(null, null, null));
        return AmqpTaskMessages.toMessage(codec.encode(message));
    }
}
