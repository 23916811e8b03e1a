package dev.celeriac.protocol.event;

import static dev.celeriac.protocol.names.EventFields.*;

import dev.celeriac.protocol.message.MalformedMessageException;
import dev.celeriac.protocol.message.MalformedMessageException.Reason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes Celery event bodies: a JSON object per event, or a JSON list of them as Celery's buffered
 * dispatcher sends. Thread-safe.
 */
public final class EventCodec {

    private static final Set<String> COMMON = Set.of(TYPE, HOSTNAME, TIMESTAMP, UTCOFFSET, PID, CLOCK);
    private static final Set<String> WORKER_INFO =
            Set.of(WORKER_QUEUES, WORKER_POOL, WORKER_POOL_SIZE, WORKER_REGISTERED);
    private static final Set<String> WORKER = Set.of(FREQ, SW_IDENT, SW_VER, SW_SYS);

    /** The fields each record models besides the common ones. */
    private static final Map<EventType, Set<String>> MODELLED = Map.ofEntries(
            Map.entry(
                    EventType.TASK_SENT,
                    Set.of(
                            UUID,
                            NAME,
                            ARGS,
                            KWARGS,
                            RETRIES,
                            ETA,
                            EXPIRES,
                            QUEUE,
                            EXCHANGE,
                            ROUTING_KEY,
                            ROOT_ID,
                            PARENT_ID)),
            Map.entry(EventType.TASK_RECEIVED, Set.of(UUID, NAME, ARGS, KWARGS, RETRIES, ETA, ROOT_ID, PARENT_ID)),
            Map.entry(EventType.TASK_STARTED, Set.of(UUID)),
            Map.entry(EventType.TASK_SUCCEEDED, Set.of(UUID, RESULT, RUNTIME)),
            Map.entry(EventType.TASK_FAILED, Set.of(UUID, EXCEPTION, TRACEBACK)),
            Map.entry(EventType.TASK_RETRIED, Set.of(UUID, EXCEPTION, TRACEBACK)),
            Map.entry(EventType.TASK_REVOKED, Set.of(UUID, TERMINATED, SIGNUM, EXPIRED)),
            Map.entry(EventType.TASK_REJECTED, Set.of(UUID, REQUEUE)),
            Map.entry(EventType.TASK_PROGRESS, Set.of(UUID, PROGRESS)),
            Map.entry(EventType.WORKER_ONLINE, WORKER),
            Map.entry(EventType.WORKER_HEARTBEAT, Set.of(FREQ, SW_IDENT, SW_VER, SW_SYS, ACTIVE, PROCESSED, LOADAVG)),
            Map.entry(EventType.WORKER_OFFLINE, WORKER),
            Map.entry(EventType.WORKFLOW_CHORD, Set.of(CHORD_ID, ROOT_ID, PARTS, BODY, POLICY)),
            Map.entry(EventType.SCHEDULE_DECLARED, Set.of(SCHEDULE)));

    private final JsonMapper mapper;

    public EventCodec(JsonMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    /** Encodes one event as a JSON object. */
    public byte[] encode(CeleryEvent event) {
        return mapper.writeValueAsBytes(toJson(event));
    }

    /** Encodes several events as one JSON list, to be sent with {@link EventType#TASK_BATCH_ROUTING_KEY}. */
    public byte[] encodeBatch(List<? extends CeleryEvent> events) {
        ArrayNode list = mapper.createArrayNode();
        events.forEach(event -> list.add(toJson(event)));
        return mapper.writeValueAsBytes(list);
    }

    /**
     * Decodes a body holding one event or a list of events.
     *
     * @throws MalformedMessageException if the body is not JSON, not an event object or list, or an event lacks its
     *     type, hostname or uuid
     */
    public List<CeleryEvent> decode(byte[] body) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (JacksonException e) {
            throw new MalformedMessageException(
                    Reason.NOT_JSON, "event body is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new MalformedMessageException(Reason.NOT_JSON, "event body is empty");
        }
        if (root.isObject()) {
            return List.of(fromJson((ObjectNode) root));
        }
        if (root.isArray()) {
            var events = new ArrayList<CeleryEvent>(root.size());
            for (JsonNode item : root.values()) {
                if (!item.isObject()) {
                    throw new MalformedMessageException(
                            Reason.WRONG_SHAPE,
                            "an event list holds a " + item.getNodeType() + " instead of an object");
                }
                events.add(fromJson((ObjectNode) item));
            }
            return events;
        }
        throw new MalformedMessageException(
                Reason.WRONG_SHAPE, "an event body must be a JSON object or list, was " + root.getNodeType());
    }

    private ObjectNode toJson(CeleryEvent event) {
        ObjectNode o = mapper.createObjectNode();
        EventSource s = event.source();
        o.put(TYPE, event.type().wireName());
        o.put(HOSTNAME, s.hostname());
        o.put(TIMESTAMP, s.timestamp());
        o.put(UTCOFFSET, s.utcoffset());
        o.put(PID, s.pid());
        o.put(CLOCK, s.clock());
        switch (event) {
            case TaskEvent.Sent e -> {
                o.put(UUID, e.uuid());
                o.put(NAME, e.name());
                o.put(ARGS, e.args());
                o.put(KWARGS, e.kwargs());
                o.put(RETRIES, e.retries());
                o.put(ETA, e.eta());
                o.put(EXPIRES, e.expires());
                o.put(QUEUE, e.queue());
                o.put(EXCHANGE, e.exchange());
                o.put(ROUTING_KEY, e.routingKey());
                o.put(ROOT_ID, e.rootId());
                o.put(PARENT_ID, e.parentId());
            }
            case TaskEvent.Received e -> {
                o.put(UUID, e.uuid());
                o.put(NAME, e.name());
                o.put(ARGS, e.args());
                o.put(KWARGS, e.kwargs());
                o.put(RETRIES, e.retries());
                o.put(ETA, e.eta());
                o.put(ROOT_ID, e.rootId());
                o.put(PARENT_ID, e.parentId());
            }
            case TaskEvent.Started e -> o.put(UUID, e.uuid());
            case TaskEvent.Succeeded e -> {
                o.put(UUID, e.uuid());
                o.put(RESULT, e.result());
                o.put(RUNTIME, e.runtime());
            }
            case TaskEvent.Failed e -> {
                o.put(UUID, e.uuid());
                o.put(EXCEPTION, e.exception());
                o.put(TRACEBACK, e.traceback());
            }
            case TaskEvent.Retried e -> {
                o.put(UUID, e.uuid());
                o.put(EXCEPTION, e.exception());
                o.put(TRACEBACK, e.traceback());
            }
            case TaskEvent.Revoked e -> {
                o.put(UUID, e.uuid());
                o.put(TERMINATED, e.terminated());
                o.put(SIGNUM, e.signum());
                o.put(EXPIRED, e.expired());
            }
            case TaskEvent.Rejected e -> {
                o.put(UUID, e.uuid());
                o.put(REQUEUE, e.requeue());
            }
            case TaskEvent.Progress e -> {
                o.put(UUID, e.uuid());
                o.put(PROGRESS, e.progress());
            }
            case WorkflowEvent.ChordDefined c -> {
                o.put(CHORD_ID, c.chordId());
                o.put(ROOT_ID, c.rootId());
                ArrayNode parts = o.putArray(PARTS);
                c.parts().forEach(parts::add);
                o.set(BODY, c.body());
                o.put(POLICY, c.policy());
            }
            case ScheduleEvent.Declared d -> o.set(SCHEDULE, d.schedule());
            case WorkerEvent w -> {
                o.put(FREQ, w.freq());
                o.put(SW_IDENT, w.swIdent());
                o.put(SW_VER, w.swVer());
                o.put(SW_SYS, w.swSys());
                if (w instanceof WorkerEvent.Heartbeat h) {
                    o.put(ACTIVE, h.active());
                    o.put(PROCESSED, h.processed());
                    ArrayNode load = o.putArray(LOADAVG);
                    h.loadavg().forEach(load::add);
                }
                if (w.info() != null) {
                    ArrayNode queues = o.putArray(WORKER_QUEUES);
                    w.info().queues().forEach(queues::add);
                    o.put(WORKER_POOL, w.info().pool());
                    o.put(WORKER_POOL_SIZE, w.info().poolSize());
                    ArrayNode registered = o.putArray(WORKER_REGISTERED);
                    w.info().registered().forEach(registered::add);
                }
            }
        }
        event.extra().forEach((name, value) -> {
            if (!o.has(name)) {
                o.set(name, mapper.valueToTree(value));
            }
        });
        return o;
    }

    private CeleryEvent fromJson(ObjectNode o) {
        var r = new FieldReader(o);
        String typeName = r.requiredString(TYPE);
        EventType type = EventType.fromWireName(typeName);
        if (type == null) {
            throw new MalformedMessageException(Reason.INVALID_VALUE, "unknown event type '" + typeName + "'");
        }
        var source = new EventSource(
                r.requiredString(HOSTNAME),
                r.number(TIMESTAMP),
                (int) r.integer(UTCOFFSET),
                r.integer(PID),
                r.integer(CLOCK));
        Map<String, Object> x = unmodelled(o, type);
        return switch (type) {
            case TASK_SENT ->
                new TaskEvent.Sent(
                        source,
                        r.requiredString(UUID),
                        r.string(NAME),
                        r.string(ARGS),
                        r.string(KWARGS),
                        (int) r.integer(RETRIES),
                        r.string(ETA),
                        r.string(EXPIRES),
                        r.string(QUEUE),
                        r.string(EXCHANGE),
                        r.string(ROUTING_KEY),
                        r.string(ROOT_ID),
                        r.string(PARENT_ID),
                        x);
            case TASK_RECEIVED ->
                new TaskEvent.Received(
                        source,
                        r.requiredString(UUID),
                        r.string(NAME),
                        r.string(ARGS),
                        r.string(KWARGS),
                        (int) r.integer(RETRIES),
                        r.string(ETA),
                        r.string(ROOT_ID),
                        r.string(PARENT_ID),
                        x);
            case TASK_STARTED -> new TaskEvent.Started(source, r.requiredString(UUID), x);
            case TASK_SUCCEEDED ->
                new TaskEvent.Succeeded(source, r.requiredString(UUID), r.string(RESULT), r.number(RUNTIME), x);
            case TASK_FAILED ->
                new TaskEvent.Failed(source, r.requiredString(UUID), r.string(EXCEPTION), r.string(TRACEBACK), x);
            case TASK_RETRIED ->
                new TaskEvent.Retried(source, r.requiredString(UUID), r.string(EXCEPTION), r.string(TRACEBACK), x);
            case TASK_REVOKED ->
                new TaskEvent.Revoked(
                        source, r.requiredString(UUID), r.bool(TERMINATED), r.string(SIGNUM), r.bool(EXPIRED), x);
            case TASK_REJECTED -> new TaskEvent.Rejected(source, r.requiredString(UUID), r.bool(REQUEUE), x);
            case TASK_PROGRESS -> new TaskEvent.Progress(source, r.requiredString(UUID), r.string(PROGRESS), x);
            case WORKER_ONLINE ->
                new WorkerEvent.Online(
                        source,
                        r.number(FREQ),
                        r.string(SW_IDENT),
                        r.string(SW_VER),
                        r.string(SW_SYS),
                        r.workerInfo(),
                        x);
            case WORKER_HEARTBEAT ->
                new WorkerEvent.Heartbeat(
                        source,
                        r.number(FREQ),
                        r.string(SW_IDENT),
                        r.string(SW_VER),
                        r.string(SW_SYS),
                        (int) r.integer(ACTIVE),
                        r.integer(PROCESSED),
                        r.numbers(LOADAVG),
                        r.workerInfo(),
                        x);
            case WORKER_OFFLINE ->
                new WorkerEvent.Offline(
                        source,
                        r.number(FREQ),
                        r.string(SW_IDENT),
                        r.string(SW_VER),
                        r.string(SW_SYS),
                        r.workerInfo(),
                        x);
            case WORKFLOW_CHORD -> {
                JsonNode parts = o.get(PARTS);
                JsonNode body = o.get(BODY);
                if (parts == null || !parts.isArray() || body == null || !body.isObject()) {
                    throw new MalformedMessageException(
                            Reason.WRONG_SHAPE, "a workflow-chord event needs a list of parts and a body");
                }
                var ids = new ArrayList<String>(parts.size());
                parts.values().forEach(p -> ids.add(p.asString()));
                yield new WorkflowEvent.ChordDefined(
                        source, r.requiredString(CHORD_ID), r.string(ROOT_ID), ids, body, r.string(POLICY), x);
            }
            case SCHEDULE_DECLARED -> {
                JsonNode schedule = o.get(SCHEDULE);
                if (schedule == null || !schedule.isObject()) {
                    throw new MalformedMessageException(
                            Reason.WRONG_SHAPE, "a schedule-declared event needs a schedule object");
                }
                yield new ScheduleEvent.Declared(source, schedule, x);
            }
        };
    }

    /** The fields of an event that its record does not model, kept so that they are written back. */
    private Map<String, Object> unmodelled(ObjectNode o, EventType type) {
        Set<String> modelled = MODELLED.get(type);
        boolean celeriacWorker = !type.isTaskEvent() && o.has(WORKER_POOL);
        var extra = new LinkedHashMap<String, Object>();
        for (var entry : o.properties()) {
            String name = entry.getKey();
            boolean known =
                    COMMON.contains(name) || modelled.contains(name) || (celeriacWorker && WORKER_INFO.contains(name));
            if (!known) {
                extra.put(name, mapper.treeToValue(entry.getValue(), Object.class));
            }
        }
        return extra;
    }

    /** Reads typed fields of one event object. */
    private static final class FieldReader {
        private final ObjectNode node;

        FieldReader(ObjectNode node) {
            this.node = node;
        }

        private JsonNode field(String name) {
            JsonNode value = node.get(name);
            return value == null || value.isNull() ? null : value;
        }

        String string(String name) {
            JsonNode value = field(name);
            if (value == null) {
                return null;
            }
            // Celery writes reprs as strings; a sender that writes JSON values is read as their JSON text.
            return value.isString() ? value.stringValue() : value.toString();
        }

        String requiredString(String name) {
            String value = string(name);
            if (value == null || value.isEmpty()) {
                throw new MalformedMessageException(
                        Reason.MISSING_HEADER, "event field '" + name + "' is missing in " + node.get(TYPE));
            }
            return value;
        }

        /** A numeric field, or {@code null} when it is absent. */
        private JsonNode numeric(String name) {
            JsonNode value = field(name);
            if (value != null && !value.isNumber()) {
                throw wrongType(name, "a number", value);
            }
            return value;
        }

        double number(String name) {
            JsonNode value = numeric(name);
            return value == null ? 0 : value.doubleValue();
        }

        long integer(String name) {
            JsonNode value = numeric(name);
            return value == null ? 0 : value.longValue();
        }

        boolean bool(String name) {
            JsonNode value = field(name);
            if (value == null) {
                return false;
            }
            if (!value.isBoolean()) {
                throw wrongType(name, "a boolean", value);
            }
            return value.booleanValue();
        }

        List<Double> numbers(String name) {
            return list(name, "a list of numbers", item -> {
                if (!item.isNumber()) {
                    throw wrongType(name, "a list of numbers", item);
                }
                return item.doubleValue();
            });
        }

        List<String> strings(String name) {
            return list(name, "a list of strings", item -> item.isString() ? item.stringValue() : item.toString());
        }

        private <T> List<T> list(String name, String expected, Function<JsonNode, T> element) {
            JsonNode value = field(name);
            if (value == null) {
                return List.of();
            }
            if (!value.isArray()) {
                throw wrongType(name, expected, value);
            }
            var items = new ArrayList<T>(value.size());
            for (JsonNode item : value.values()) {
                items.add(element.apply(item));
            }
            return items;
        }

        WorkerInfo workerInfo() {
            if (!node.has(WORKER_POOL)) {
                return null;
            }
            return new WorkerInfo(
                    strings(WORKER_QUEUES),
                    string(WORKER_POOL),
                    (int) integer(WORKER_POOL_SIZE),
                    strings(WORKER_REGISTERED));
        }

        private MalformedMessageException wrongType(String name, String expected, JsonNode value) {
            return new MalformedMessageException(
                    Reason.WRONG_TYPE,
                    "event field '" + name + "' must be " + expected + ", was " + value.getNodeType());
        }
    }
}
