package dev.celeriac.protocol.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.celeriac.protocol.message.MalformedMessageException;
import dev.celeriac.protocol.message.MalformedMessageException.Reason;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class EventCodecTests {

    private final JsonMapper json = JsonMapper.builder().build();
    private final EventCodec codec = new EventCodec(json);

    /** Event messages sent by a real Celery 5 worker, captured by src/test/celery/capture_events.py. */
    private List<JsonNode> capturedMessages() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/fixtures/celery-events.json")) {
            return new ArrayList<>(json.readTree(in).values());
        }
    }

    private List<CeleryEvent> capturedEvents() throws Exception {
        var events = new ArrayList<CeleryEvent>();
        for (JsonNode message : capturedMessages()) {
            events.addAll(codec.decode(json.writeValueAsBytes(message.get("body"))));
        }
        return events;
    }

    @Test
    void decodesEveryEventARealCeleryWorkerSent() throws Exception {
        List<CeleryEvent> events = capturedEvents();
        assertThat(events)
                .extracting(CeleryEvent::type)
                .contains(
                        EventType.WORKER_ONLINE,
                        EventType.TASK_SENT,
                        EventType.TASK_RECEIVED,
                        EventType.TASK_STARTED,
                        EventType.TASK_SUCCEEDED,
                        EventType.TASK_FAILED,
                        EventType.TASK_RETRIED,
                        EventType.WORKER_HEARTBEAT,
                        EventType.WORKER_OFFLINE);

        var succeeded = events.stream()
                .filter(e -> e instanceof TaskEvent.Succeeded s && s.uuid().endsWith("0001"))
                .map(TaskEvent.Succeeded.class::cast)
                .findFirst()
                .orElseThrow();
        assertThat(succeeded.result()).isEqualTo("5");
        assertThat(succeeded.runtime()).isPositive();
        assertThat(succeeded.source().hostname()).isEqualTo("fixtures@celery");

        var failed = events.stream()
                .filter(TaskEvent.Failed.class::isInstance)
                .map(TaskEvent.Failed.class::cast)
                .findFirst()
                .orElseThrow();
        assertThat(failed.uuid()).endsWith("0002");
        // Celery 5.2's solo pool reports the exception wrapper; the traceback names the real one.
        assertThat(failed.exception()).isEqualTo("ExceptionWithTraceback()");
        assertThat(failed.traceback()).contains("Traceback").contains("ValueError: boom");

        var received = events.stream()
                .filter(e -> e instanceof TaskEvent.Received r && r.uuid().endsWith("0001"))
                .map(TaskEvent.Received.class::cast)
                .findFirst()
                .orElseThrow();
        assertThat(received.name()).isEqualTo("demo.add");
        assertThat(received.args()).isEqualTo("[2, 3]");
        assertThat(received.retries()).isZero();

        var heartbeat = events.stream()
                .filter(WorkerEvent.Heartbeat.class::isInstance)
                .map(WorkerEvent.Heartbeat.class::cast)
                .findFirst()
                .orElseThrow();
        assertThat(heartbeat.swIdent()).isEqualTo("py-celery");
        assertThat(heartbeat.freq()).isEqualTo(2.0);
        assertThat(heartbeat.loadavg()).hasSize(3);
        assertThat(heartbeat.info()).isNull();
    }

    @Test
    void aChordDefinitionReadsBackWithItsPartsInOrderAndItsBody() {
        var defined = new WorkflowEvent.ChordDefined(
                EventSource.at(Instant.parse("2026-12-03T10:00:00Z"), "client@host", 7),
                "c1",
                "r1",
                List.of("t2", "t0", "t1"),
                json.readTree("{\"task\": \"demo.sum\", \"args\": [], \"options\": {\"task_id\": \"b\"}}"),
                "all",
                Map.of());

        assertThat(codec.decode(codec.encode(defined))).containsExactly(defined);
    }

    @Test
    void aDeclaredScheduleReadsBackAndOneWithoutAScheduleIsRefused() {
        var declared = new ScheduleEvent.Declared(
                EventSource.at(Instant.parse("2026-12-06T10:00:00Z"), "worker@host", 3),
                json.readTree("{\"id\": \"nightly\", \"cron\": \"30 2 * * *\", \"task\": \"demo.add\"}"),
                Map.of());

        assertThat(codec.decode(codec.encode(declared))).containsExactly(declared);
        assertThatThrownBy(() -> codec.decode(
                        "{\"type\": \"schedule-declared\", \"hostname\": \"w\", \"timestamp\": 1, \"schedule\": 5}"
                                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("schedule object");
    }

    @Test
    void readsTaskEventsThatCeleryBatchesUnderTaskMulti() throws Exception {
        JsonNode batch = capturedMessages().stream()
                .filter(m -> m.get("routing_key").stringValue().equals(EventType.TASK_BATCH_ROUTING_KEY))
                .findFirst()
                .orElseThrow();
        List<CeleryEvent> events = codec.decode(json.writeValueAsBytes(batch.get("body")));
        assertThat(events).hasSize(batch.get("body").size()).allMatch(e -> e instanceof TaskEvent);
    }

    @Test
    void writesBackEveryFieldOfEveryCapturedEvent() throws Exception {
        for (JsonNode message : capturedMessages()) {
            JsonNode body = message.get("body");
            List<JsonNode> originals = body.isArray() ? new ArrayList<>(body.values()) : List.of(body);
            for (JsonNode original : originals) {
                CeleryEvent event =
                        codec.decode(json.writeValueAsBytes(original)).getFirst();
                JsonNode written = json.readTree(codec.encode(event));
                assertThat(written).as(original.get("type").stringValue()).isEqualTo(original);
            }
        }
    }

    @Test
    void roundTripsCeleriacWorkerDetailsAndBatches() {
        var source = new EventSource("w1@host", 1_700_000_000.25, 0, 123, 7);
        var info = new WorkerInfo(List.of("default", "email"), "virtual", 1000, List.of("demo.add", "demo.echo"));
        var heartbeat = new WorkerEvent.Heartbeat(
                source, 2.0, "celeriac", "0.1.0", "Linux", 3, 42, List.of(0.5, 0.25, 0.1), info, null);
        var started = new TaskEvent.Started(source, "t-1", Map.of("queue", "default"));
        var revoked = new TaskEvent.Revoked(source, "t-2", true, "SIGTERM", false, null);
        var progress = new TaskEvent.Progress(source, "t-3", "{\"done\":1,\"total\":3}", null);

        assertThat(codec.decode(codec.encodeBatch(List.of(heartbeat, started, revoked, progress))))
                .containsExactly(heartbeat, started, revoked, progress);
        JsonNode written = json.readTree(codec.encode(heartbeat));
        assertThat(written.get("type").stringValue()).isEqualTo("worker-heartbeat");
        assertThat(written.get("pool_size").intValue()).isEqualTo(1000);
        assertThat(written.get("registered")).hasSize(2);
    }

    @Test
    void namesRoutingKeysLikeCelery() {
        assertThat(EventType.TASK_SUCCEEDED.routingKey()).isEqualTo("task.succeeded");
        assertThat(EventType.WORKER_HEARTBEAT.routingKey()).isEqualTo("worker.heartbeat");
        assertThat(EventType.fromWireName("task-revoked")).isEqualTo(EventType.TASK_REVOKED);
        assertThat(EventType.fromWireName("task-unknown")).isNull();
    }

    @Test
    void rejectsBodiesThatAreNoEvents() {
        assertThatExceptionOfType(MalformedMessageException.class)
                .isThrownBy(() -> codec.decode("not json".getBytes(StandardCharsets.UTF_8)))
                .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.NOT_JSON));
        assertThatExceptionOfType(MalformedMessageException.class)
                .isThrownBy(() -> codec.decode(
                        "{\"type\":\"task-exploded\",\"hostname\":\"h\"}".getBytes(StandardCharsets.UTF_8)))
                .withMessage("unknown event type 'task-exploded'");
        assertThatExceptionOfType(MalformedMessageException.class)
                .isThrownBy(() ->
                        codec.decode("{\"type\":\"task-started\",\"hostname\":\"h\"}".getBytes(StandardCharsets.UTF_8)))
                .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.MISSING_HEADER))
                .withMessageContaining("'uuid'");
        assertThatExceptionOfType(MalformedMessageException.class)
                .isThrownBy(() -> codec.decode("[1]".getBytes(StandardCharsets.UTF_8)))
                .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_SHAPE));
        assertThatExceptionOfType(MalformedMessageException.class)
                .isThrownBy(() ->
                        codec.decode("{\"type\":\"task-started\",\"hostname\":\"h\",\"uuid\":\"u\",\"clock\":\"x\"}"
                                .getBytes(StandardCharsets.UTF_8)))
                .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_TYPE));
    }
}
