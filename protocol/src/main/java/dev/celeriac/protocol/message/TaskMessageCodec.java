package dev.celeriac.protocol.message;

import dev.celeriac.protocol.message.MalformedMessageException.Reason;
import dev.celeriac.protocol.names.MessageHeaders;
import dev.celeriac.protocol.names.WireFormat;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes Celery message protocol v2 task messages with the JSON serializer. It is thread-safe and meant to
 * be shared.
 *
 * <p>Decoding accepts what a stock Celery 5 client sends and rejects anything else with a
 * {@link MalformedMessageException} whose {@link MalformedMessageException.Reason reason} says what is wrong; it
 * never lets a bare runtime exception escape. Encoding writes headers in Celery's order, with Celery's explicit
 * nulls, so that Celery workers and monitors read Celeriac's messages as their own.
 */
public final class TaskMessageCodec {

    private static final int MAX_ID_LENGTH = 255;

    private final CodecLimits limits;
    private final JsonMapper mapper;

    /** Creates a codec with {@link CodecLimits#DEFAULTS}. */
    public TaskMessageCodec() {
        this(CodecLimits.DEFAULTS);
    }

    /** Creates a codec with the given limits. */
    public TaskMessageCodec(CodecLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        var constraints = StreamReadConstraints.builder()
                .maxNestingDepth(limits.maxNestingDepth())
                .maxStringLength(limits.maxStringLength())
                .maxDocumentLength(limits.maxBodyBytes())
                .build();
        var factory = JsonFactory.builder()
                .streamReadConstraints(constraints)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.mapper = JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // An argument object without properties is a caller's mistake, not an empty JSON object.
                .enable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .build();
    }

    /** The limits this codec enforces. */
    public CodecLimits limits() {
        return limits;
    }

    /** The JSON mapper this codec reads and writes bodies with, configured with its limits. */
    public JsonMapper mapper() {
        return mapper;
    }

    /** Encodes a task message into AMQP properties, headers and body bytes. */
    public EncodedMessage encode(TaskMessage message) {
        TaskHeaders h = message.headers();
        var headers = new LinkedHashMap<String, Object>();
        headers.put(MessageHeaders.LANG, h.lang());
        headers.put(MessageHeaders.TASK, h.task());
        headers.put(MessageHeaders.ID, h.id());
        headers.put(MessageHeaders.SHADOW, h.shadow());
        headers.put(MessageHeaders.ETA, h.eta() == null ? null : CeleryTimes.format(h.eta()));
        headers.put(MessageHeaders.EXPIRES, h.expires() == null ? null : CeleryTimes.format(h.expires()));
        headers.put(MessageHeaders.GROUP, h.group());
        headers.put(MessageHeaders.GROUP_INDEX, h.groupIndex());
        headers.put(MessageHeaders.RETRIES, h.retries());
        headers.put(
                MessageHeaders.TIMELIMIT,
                // Celery writes [hard, soft], whatever its documentation says; real Celery messages show it.
                Arrays.asList(
                        seconds(h.timeLimit().hard()), seconds(h.timeLimit().soft())));
        headers.put(MessageHeaders.ROOT_ID, h.rootId());
        headers.put(MessageHeaders.PARENT_ID, h.parentId());
        headers.put(MessageHeaders.ARGSREPR, h.argsrepr());
        headers.put(MessageHeaders.KWARGSREPR, h.kwargsrepr());
        headers.put(MessageHeaders.ORIGIN, h.origin());
        headers.put(MessageHeaders.IGNORE_RESULT, h.ignoreResult());
        h.extra().forEach(headers::putIfAbsent);
        return new EncodedMessage(message.properties(), headers, encodeBody(message.body()));
    }

    /** Encodes a body as {@code [args, kwargs, embed]} UTF-8 JSON. */
    public byte[] encodeBody(TaskBody body) {
        ArrayNode root = JsonNodeFactory.instance.arrayNode(3);
        root.add(body.args());
        root.add(body.kwargs());
        ObjectNode embed = root.addObject();
        embed.set("callbacks", body.embed().callbacks());
        embed.set("errbacks", body.embed().errbacks());
        embed.set("chain", body.embed().chain());
        embed.set("chord", body.embed().chord());
        return mapper.writeValueAsBytes(root);
    }

    /** Decodes an encoded message; see {@link #decode(TaskProperties, Map, byte[])}. */
    public TaskMessage decode(EncodedMessage message) {
        return decode(message.properties(), message.headers(), message.body());
    }

    /**
     * Decodes a task message from its AMQP parts.
     *
     * @param properties the AMQP properties
     * @param headers the AMQP headers; string values may be {@link CharSequence}s or UTF-8 {@code byte[]}s
     * @param body the body bytes
     * @throws MalformedMessageException if the message is not a valid protocol v2 JSON task message
     */
    public TaskMessage decode(TaskProperties properties, Map<String, ?> headers, byte[] body) {
        Objects.requireNonNull(properties, "properties");
        Map<String, ?> table = headers == null ? Map.of() : headers;
        if (body == null || body.length == 0) {
            throw new MalformedMessageException(Reason.NOT_JSON, "body is empty; expected [args, kwargs, embed]");
        }
        if (body.length > limits.maxBodyBytes()) {
            throw new MalformedMessageException(
                    Reason.OVERSIZE,
                    "body is " + body.length + " bytes; at most " + limits.maxBodyBytes() + " are accepted");
        }
        checkContentType(properties);
        if (!table.containsKey(MessageHeaders.TASK) && !table.containsKey(MessageHeaders.ID)) {
            JsonNode parsed = parse(body);
            if (parsed.isObject() && parsed.has("task") && parsed.has("id")) {
                throw new MalformedMessageException(
                        Reason.UNSUPPORTED_PROTOCOL,
                        "message is of Celery protocol v1 (task and id in the body); Celeriac reads protocol v2:"
                                + " set task_protocol = 2 on the sender");
            }
        }
        TaskHeaders taskHeaders = decodeHeaders(table);
        return new TaskMessage(properties, taskHeaders, decodeBody(body));
    }

    /**
     * Decodes a body {@code [args, kwargs, embed]}.
     *
     * @throws MalformedMessageException if the bytes are not such a body
     */
    public TaskBody decodeBody(byte[] body) {
        JsonNode root = parse(body);
        if (!root.isArray() || root.size() != 3) {
            throw new MalformedMessageException(
                    Reason.WRONG_SHAPE,
                    "body must be a JSON array [args, kwargs, embed], was "
                            + describe(root)
                            + (root.isArray() ? " of " + root.size() + " elements" : ""));
        }
        JsonNode args = root.get(0);
        JsonNode kwargs = root.get(1);
        JsonNode embed = root.get(2);
        if (!args.isArray()) {
            throw new MalformedMessageException(
                    Reason.WRONG_SHAPE, "body[0] (args) must be a JSON array, was " + describe(args));
        }
        if (!kwargs.isObject()) {
            throw new MalformedMessageException(
                    Reason.WRONG_SHAPE, "body[1] (kwargs) must be a JSON object, was " + describe(kwargs));
        }
        if (!embed.isObject() && !embed.isNull()) {
            throw new MalformedMessageException(
                    Reason.WRONG_SHAPE, "body[2] (embed) must be a JSON object or null, was " + describe(embed));
        }
        return new TaskBody((ArrayNode) args, (ObjectNode) kwargs, decodeEmbed(embed));
    }

    private static Embed decodeEmbed(JsonNode embed) {
        if (embed.isNull()) {
            return Embed.NONE;
        }
        return new Embed(
                signatures(embed, "callbacks"),
                signatures(embed, "errbacks"),
                signatures(embed, "chain"),
                chord(embed));
    }

    private static JsonNode signatures(JsonNode embed, String field) {
        JsonNode node = embed.get(field);
        if (node != null && !node.isNull() && !node.isArray()) {
            throw new MalformedMessageException(
                    Reason.WRONG_SHAPE, "embed." + field + " must be a JSON array or null, was " + describe(node));
        }
        return node;
    }

    private static JsonNode chord(JsonNode embed) {
        JsonNode node = embed.get("chord");
        if (node != null && !node.isNull() && !node.isObject()) {
            throw new MalformedMessageException(
                    Reason.WRONG_SHAPE, "embed.chord must be a JSON object or null, was " + describe(node));
        }
        return node;
    }

    private JsonNode parse(byte[] body) {
        try {
            return mapper.readTree(body);
        } catch (StreamConstraintsException e) {
            throw new MalformedMessageException(
                    Reason.TOO_COMPLEX, "body exceeds a JSON limit: " + e.getOriginalMessage(), e);
        } catch (JacksonException e) {
            throw new MalformedMessageException(
                    Reason.NOT_JSON, "body is not valid UTF-8 JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static void checkContentType(TaskProperties properties) {
        String type = properties.contentType();
        if (type != null && !type.isEmpty()) {
            String mediaType = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            if (!mediaType.equals(WireFormat.CONTENT_TYPE_JSON)) {
                throw new MalformedMessageException(
                        Reason.UNSUPPORTED_CONTENT_TYPE,
                        "content type '" + type + "' is not supported; Celeriac reads application/json"
                                + " (configure Celery with task_serializer = 'json')");
            }
        }
        String encoding = properties.contentEncoding();
        if (encoding != null && !encoding.isEmpty()) {
            String normalized = encoding.trim().toLowerCase(Locale.ROOT).replace("_", "-");
            if (!normalized.equals("utf-8") && !normalized.equals("utf8")) {
                throw new MalformedMessageException(
                        Reason.UNSUPPORTED_ENCODING,
                        "content encoding '" + encoding + "' is not supported; Celeriac reads utf-8");
            }
        }
    }

    private static TaskHeaders decodeHeaders(Map<String, ?> table) {
        String task = requiredString(table, MessageHeaders.TASK);
        String id = requiredString(table, MessageHeaders.ID);
        if (id.length() > MAX_ID_LENGTH) {
            throw new MalformedMessageException(
                    Reason.INVALID_VALUE,
                    "header 'id' is " + id.length() + " characters long; at most " + MAX_ID_LENGTH + " are accepted");
        }
        if (task.length() > MAX_ID_LENGTH) {
            throw new MalformedMessageException(
                    Reason.INVALID_VALUE,
                    "header 'task' is " + task.length() + " characters long; at most " + MAX_ID_LENGTH
                            + " are accepted");
        }
        Integer retries = optionalInteger(table, MessageHeaders.RETRIES);
        if (retries != null && retries < 0) {
            throw new MalformedMessageException(
                    Reason.INVALID_VALUE, "header 'retries' must not be negative, was " + retries);
        }
        var extra = new LinkedHashMap<String, Object>();
        table.forEach((name, value) -> {
            if (!TaskHeaders.MODELLED.contains(name)) {
                extra.put(name, value);
            }
        });
        return new TaskHeaders(
                optionalString(table, MessageHeaders.LANG),
                task,
                id,
                optionalString(table, MessageHeaders.ROOT_ID),
                optionalString(table, MessageHeaders.PARENT_ID),
                optionalString(table, MessageHeaders.GROUP),
                optionalInteger(table, MessageHeaders.GROUP_INDEX),
                retries == null ? 0 : retries,
                optionalTime(table, MessageHeaders.ETA),
                optionalTime(table, MessageHeaders.EXPIRES),
                timeLimit(table),
                optionalString(table, MessageHeaders.ARGSREPR),
                optionalString(table, MessageHeaders.KWARGSREPR),
                optionalString(table, MessageHeaders.ORIGIN),
                optionalBoolean(table, MessageHeaders.IGNORE_RESULT),
                optionalString(table, MessageHeaders.SHADOW),
                extra);
    }

    private static String requiredString(Map<String, ?> table, String name) {
        String value = optionalString(table, name);
        if (value == null) {
            throw new MalformedMessageException(
                    Reason.MISSING_HEADER,
                    "header '" + name + "' is " + (table.containsKey(name) ? "null" : "missing")
                            + "; every protocol v2 task message carries it");
        }
        if (value.isBlank()) {
            throw new MalformedMessageException(Reason.INVALID_VALUE, "header '" + name + "' is blank");
        }
        return value;
    }

    private static String optionalString(Map<String, ?> table, String name) {
        Object value = table.get(name);
        return switch (value) {
            case null -> null;
            case CharSequence text -> text.toString();
            case byte[] bytes -> new String(bytes, StandardCharsets.UTF_8);
            default -> throw wrongType(name, "a string", value);
        };
    }

    private static Integer optionalInteger(Map<String, ?> table, String name) {
        Object value = table.get(name);
        return switch (value) {
            case null -> null;
            case Integer i -> i;
            case Long l when l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE -> l.intValue();
            case Short s -> s.intValue();
            case Byte b -> b.intValue();
            default -> throw wrongType(name, "an integer", value);
        };
    }

    private static boolean optionalBoolean(Map<String, ?> table, String name) {
        Object value = table.get(name);
        return switch (value) {
            case null -> false;
            case Boolean b -> b;
            default -> throw wrongType(name, "a boolean", value);
        };
    }

    private static Instant optionalTime(Map<String, ?> table, String name) {
        String text = optionalString(table, name);
        if (text == null) {
            return null;
        }
        try {
            return CeleryTimes.parse(text);
        } catch (DateTimeParseException e) {
            throw new MalformedMessageException(
                    Reason.INVALID_VALUE, "header '" + name + "' is not an ISO-8601 date-time: '" + text + "'", e);
        }
    }

    private static TimeLimit timeLimit(Map<String, ?> table) {
        Object value = table.get(MessageHeaders.TIMELIMIT);
        if (value == null) {
            return TimeLimit.NONE;
        }
        if (!(value instanceof List<?> list) || list.size() != 2) {
            throw wrongType(MessageHeaders.TIMELIMIT, "a list [hard, soft] of seconds", value);
        }
        return new TimeLimit(limit(list.get(1), "soft"), limit(list.get(0), "hard"));
    }

    private static Duration limit(Object value, String which) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Number number)) {
            throw wrongType(MessageHeaders.TIMELIMIT, "a list [hard, soft] of seconds", value);
        }
        double seconds = number.doubleValue();
        if (!(seconds > 0) || Double.isInfinite(seconds)) {
            throw new MalformedMessageException(
                    Reason.INVALID_VALUE, "header 'timelimit' " + which + " limit must be positive, was " + number);
        }
        return Duration.ofNanos(BigDecimal.valueOf(seconds)
                .movePointRight(9)
                .min(BigDecimal.valueOf(Long.MAX_VALUE))
                .longValue());
    }

    private static Object seconds(Duration duration) {
        if (duration == null) {
            return null;
        }
        if (duration.getNano() == 0) {
            return duration.getSeconds();
        }
        return duration.toNanos() / 1e9;
    }

    private static MalformedMessageException wrongType(String name, String expected, Object value) {
        return new MalformedMessageException(
                Reason.WRONG_TYPE,
                "header '" + name + "' must be " + expected + ", was " + kind(value) + " " + abbreviate(value));
    }

    private static String kind(Object value) {
        return switch (value) {
            case CharSequence ignored -> "a string";
            case Number ignored -> "a number";
            case Boolean ignored -> "a boolean";
            case List<?> ignored -> "a list";
            case Map<?, ?> ignored -> "a map";
            case byte[] ignored -> "bytes";
            default -> "a " + value.getClass().getSimpleName();
        };
    }

    private static String abbreviate(Object value) {
        String text = value instanceof List<?> list ? new ArrayList<>(list).toString() : String.valueOf(value);
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }

    private static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }
}
