package dev.celeriac.protocol.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.protocol.message.CeleryFixtures.Fixture;
import dev.celeriac.protocol.message.MalformedMessageException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class TaskMessageCodecTests {

    private static final List<String> CASES = CeleryFixtures.CASES;

    private final TaskMessageCodec codec = new TaskMessageCodec();
    private final JsonMapper json = JsonMapper.builder().build();

    private TaskMessage decode(String fixture) {
        Fixture f = CeleryFixtures.load(fixture);
        return codec.decode(f.properties(), f.headers(), f.body());
    }

    private JsonNode node(String text) {
        return json.readTree(text);
    }

    @Test
    void decodesPositionalArgumentsFromCelery() {
        TaskMessage m = decode("args-only");
        assertThat(m.task()).isEqualTo("demo.add");
        assertThat(m.body().args()).isEqualTo(node("[2, 3]"));
        assertThat(m.body().kwargs()).isEqualTo(node("{}"));
        assertThat(m.headers().lang()).isEqualTo("py");
        assertThat(m.headers().rootId()).isEqualTo(m.id());
        assertThat(m.headers().parentId()).isNull();
        assertThat(m.headers().retries()).isZero();
        assertThat(m.headers().argsrepr()).isEqualTo("[2, 3]");
        assertThat(m.headers().origin()).startsWith("gen").contains("@");
        assertThat(m.properties().correlationId()).isEqualTo(m.id());
        assertThat(m.properties().contentType()).isEqualTo("application/json");
        assertThat(m.properties().persistent()).isTrue();
        assertThat(m.body().embed()).isEqualTo(Embed.NONE);
    }

    @Test
    void decodesKeywordArgumentsOfEveryJsonTypeFromCelery() {
        TaskMessage m = decode("kwargs-only");
        assertThat(m.task()).isEqualTo("demo.echo");
        assertThat(m.body().args()).isEmpty();
        assertThat(m.body().kwargs())
                .isEqualTo(node("{\"greeting\":\"hello\",\"count\":3,\"ratio\":0.5,\"flag\":true,\"nothing\":null}"));
    }

    @Test
    void decodesCountdownAsAnEtaInTheFuture() {
        Fixture f = CeleryFixtures.load("countdown");
        TaskMessage m = codec.decode(f.properties(), f.headers(), f.body());
        String sentEta = (String) f.headers().get("eta");
        assertThat(m.headers().eta()).isEqualTo(Instant.parse(sentEta.replace("+00:00", "Z")));
        assertThat(m.headers().expires()).isNull();
    }

    @Test
    void decodesEtaAndExpiresToTheMicrosecond() {
        TaskMessage m = decode("eta-and-expires");
        assertThat(m.headers().eta()).isEqualTo(Instant.parse("2030-01-02T03:04:05.678Z"));
        assertThat(m.headers().expires()).isEqualTo(Instant.parse("2030-01-03T00:00:00Z"));
        // Celery also sets the AMQP per-message TTL for expires; it is kept as it came.
        assertThat(m.properties().expiration()).matches("\\d+");
    }

    @Test
    void decodesExpiresGivenInSecondsAsAnAbsoluteTime() {
        Fixture f = CeleryFixtures.load("expires-seconds");
        TaskMessage m = codec.decode(f.properties(), f.headers(), f.body());
        assertThat(m.headers().expires()).isNotNull();
        long ttlMillis = Long.parseLong(f.properties().expiration());
        assertThat(ttlMillis).isBetween(119_000L, 120_000L);
    }

    @Test
    void decodesPriorityFromTheProperties() {
        assertThat(decode("priority").properties().priority()).isEqualTo(7);
        assertThat(decode("args-only").properties().priority()).isZero();
    }

    @Test
    void decodesUnicodeExactly() {
        TaskMessage m = decode("unicode");
        assertThat(m.body().kwargs().get("text").stringValue()).isEqualTo("héllo wörld ✓ 日本語 🥕");
        assertThat(m.body().kwargs().get("quote").stringValue()).isEqualTo("\"'\\");
    }

    @Test
    void decodesNestedJson() {
        TaskMessage m = decode("nested-json");
        assertThat(m.body().args())
                .isEqualTo(node("[{\"a\":[1,2,{\"b\":null}],\"c\":{\"d\":{\"e\":[true,false]}}},[[1],[2,[3]]]]"));
        assertThat(m.body().kwargs().get("deep").get("x").get(2).doubleValue()).isEqualTo(1e21);
    }

    @Test
    void decodesSoftAndHardTimeLimits() {
        TaskMessage m = decode("time-limits");
        assertThat(m.headers().timeLimit()).isEqualTo(new TimeLimit(Duration.ofSeconds(30), Duration.ofSeconds(60)));
        assertThat(decode("args-only").headers().timeLimit().isNone()).isTrue();
    }

    @Test
    void decodesReplyToParentAndRootIds() {
        TaskMessage m = decode("reply-to-and-ids");
        assertThat(m.id()).isEqualTo("0b8b1c5e-4d3e-4a51-9f6e-2f1d2f6f0c11");
        assertThat(m.headers().parentId()).isEqualTo("11111111-2222-3333-4444-555555555555");
        assertThat(m.headers().rootId()).isEqualTo("66666666-7777-8888-9999-000000000000");
        assertThat(m.properties().replyTo()).isEqualTo("fixtures-replies");
        assertThat(m.properties().correlationId()).isEqualTo(m.id());
    }

    @Test
    void decodesIgnoreResult() {
        assertThat(decode("ignore-result").headers().ignoreResult()).isTrue();
        assertThat(decode("args-only").headers().ignoreResult()).isFalse();
    }

    @Test
    void decodesTheRestOfAChainFromTheEmbed() {
        Embed embed = decode("chain").body().embed();
        assertThat(embed.chain()).hasSize(1);
        assertThat(embed.chain().get(0).get("task").stringValue()).isEqualTo("demo.add");
        assertThat(embed.chain().get(0).get("args")).isEqualTo(node("[10]"));
        assertThat(embed.callbacks()).isNull();
        assertThat(embed.chord()).isNull();
    }

    @Test
    void decodesCallbacksAndErrbacksFromTheEmbed() {
        Embed embed = decode("callbacks-errbacks").body().embed();
        assertThat(embed.callbacks()).hasSize(1);
        assertThat(embed.callbacks().get(0).get("task").stringValue()).isEqualTo("demo.echo");
        assertThat(embed.callbacks().get(0).get("kwargs")).isEqualTo(node("{\"then\":true}"));
        assertThat(embed.errbacks()).hasSize(1);
        assertThat(embed.errbacks().get(0).get("task").stringValue()).isEqualTo("demo.fail");
    }

    @ParameterizedTest
    @FieldSource("CASES")
    void roundTripsEveryCapturedCeleryMessage(String fixture) {
        TaskMessage decoded = decode(fixture);
        EncodedMessage encoded = codec.encode(decoded);
        TaskMessage again = codec.decode(encoded);
        assertThat(again).isEqualTo(decoded);
        // Every header Celery sent is written back, with the same meaning.
        assertThat(encoded.headers().keySet())
                .containsAll(CeleryFixtures.load(fixture).headers().keySet());
    }

    @ParameterizedTest
    @FieldSource("CASES")
    void writesTheSameBodyJsonAsCelery(String fixture) {
        Fixture f = CeleryFixtures.load(fixture);
        byte[] written = codec.encodeBody(codec.decodeBody(f.body()));
        assertThat(json.readTree(written)).isEqualTo(json.readTree(f.body()));
    }

    @Test
    void keepsUnknownHeadersIntactAndInOrder() {
        Fixture f = CeleryFixtures.load("args-only");
        var headers = new LinkedHashMap<String, Object>(f.headers());
        headers.put("stamped_headers", List.of("on_signature"));
        headers.put("stamps", Map.of("on_signature", "x"));
        headers.put("x-custom", 42);
        TaskMessage m = codec.decode(f.properties(), headers, f.body());
        assertThat(m.headers().extra())
                .containsExactly(
                        Map.entry("stamped_headers", List.of("on_signature")),
                        Map.entry("stamps", Map.of("on_signature", "x")),
                        Map.entry("x-custom", 42));
        assertThat(codec.encode(m).headers())
                .containsEntry("stamps", Map.of("on_signature", "x"))
                .containsEntry("x-custom", 42);
    }

    @Test
    void roundTripsAMessageBuiltInJava() {
        var headers = TaskHeaders.builder("demo.add", "id-1")
                .parentId("parent")
                .group("g", 2)
                .retries(3)
                .eta(Instant.parse("2031-05-06T07:08:09.123456Z"))
                .expires(Instant.parse("2031-05-07T00:00:00Z"))
                .timeLimit(new TimeLimit(Duration.ofMillis(1500), null))
                .argsrepr("[1, 2]")
                .origin("worker@host")
                .ignoreResult(true)
                .shadow("adder")
                .build();
        var body = new TaskBody(
                (tools.jackson.databind.node.ArrayNode) node("[1,2]"),
                (tools.jackson.databind.node.ObjectNode) node("{\"k\":\"v\"}"),
                new Embed(node("[{\"task\":\"next\"}]"), null, null, node("{\"task\":\"chord\"}")));
        var message = new TaskMessage(
                TaskProperties.forTask("id-1").withReplyTo("replies").withPriority(5), headers, body);

        EncodedMessage encoded = codec.encode(message);

        assertThat(codec.decode(encoded)).isEqualTo(message);
        assertThat(encoded.headers())
                .containsEntry("lang", "java")
                .containsEntry("eta", "2031-05-06T07:08:09.123456+00:00")
                .containsEntry("expires", "2031-05-07T00:00:00+00:00")
                .containsEntry("timelimit", Arrays.asList(null, 1.5))
                .containsEntry("group_index", 2)
                .containsEntry("retries", 3);
        assertThat(new String(encoded.body(), StandardCharsets.UTF_8))
                .isEqualTo("[[1,2],{\"k\":\"v\"},{\"callbacks\":[{\"task\":\"next\"}],\"errbacks\":null,"
                        + "\"chain\":null,\"chord\":{\"task\":\"chord\"}}]");
    }

    @Test
    void acceptsStringHeadersAsUtf8Bytes() {
        Fixture f = CeleryFixtures.load("args-only");
        var headers = new LinkedHashMap<String, Object>(f.headers());
        headers.put("task", "demo.add".getBytes(StandardCharsets.UTF_8));
        assertThat(codec.decode(f.properties(), headers, f.body()).task()).isEqualTo("demo.add");
    }

    // ---- rejections: one test per reason, each checking the message names the problem ----

    private MalformedMessageException rejection(Map<String, Object> headers, String body) {
        return rejection(TaskProperties.forTask("x"), headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private MalformedMessageException rejection(TaskProperties properties, Map<String, Object> headers, byte[] body) {
        var thrown = new ArrayList<Throwable>();
        try {
            codec.decode(properties, headers, body);
        } catch (Throwable t) {
            thrown.add(t);
        }
        assertThat(thrown).singleElement().isInstanceOf(MalformedMessageException.class);
        return (MalformedMessageException) thrown.getFirst();
    }

    private static Map<String, Object> validHeaders() {
        var headers = new LinkedHashMap<String, Object>();
        headers.put("task", "demo.add");
        headers.put("id", "abc");
        return headers;
    }

    private static Map<String, Object> validHeadersWith(String name, Object value) {
        var headers = validHeaders();
        headers.put(name, value);
        return headers;
    }

    private static final String VALID_BODY =
            "[[1],{},{\"callbacks\":null,\"errbacks\":null,\"chain\":null,\"chord\":null}]";

    @Test
    void rejectsABodyThatIsNotJson() {
        var e = rejection(validHeaders(), "[[1], {}, {]");
        assertThat(e.reason()).isEqualTo(Reason.NOT_JSON);
        assertThat(e.getMessage()).startsWith("body is not valid UTF-8 JSON");
        assertThat(rejection(validHeaders(), "").reason()).isEqualTo(Reason.NOT_JSON);
        assertThat(rejection(validHeaders(), "[[],{},null] trailing").reason()).isEqualTo(Reason.NOT_JSON);
        var invalidUtf8 = rejection(
                TaskProperties.forTask("x"), validHeaders(), new byte[] {'[', '"', (byte) 0xC3, (byte) 0x28, '"', ']'});
        assertThat(invalidUtf8.reason()).isEqualTo(Reason.NOT_JSON);
    }

    @Test
    void rejectsDuplicateKeysInKwargs() {
        var e = rejection(validHeaders(), "[[],{\"a\":1,\"a\":2},null]");
        assertThat(e.reason()).isEqualTo(Reason.NOT_JSON);
        assertThat(e.getMessage()).contains("Duplicate");
    }

    @Test
    void rejectsBodiesOfTheWrongShape() {
        assertThat(rejection(validHeaders(), "{\"args\":[]}").getMessage())
                .isEqualTo("body must be a JSON array [args, kwargs, embed], was an object");
        assertThat(rejection(validHeaders(), "[[],{}]").getMessage())
                .isEqualTo("body must be a JSON array [args, kwargs, embed], was an array of 2 elements");
        assertThat(rejection(validHeaders(), "[{},{},null]").getMessage())
                .isEqualTo("body[0] (args) must be a JSON array, was an object");
        assertThat(rejection(validHeaders(), "[[],[],null]").getMessage())
                .isEqualTo("body[1] (kwargs) must be a JSON object, was an array");
        assertThat(rejection(validHeaders(), "[[],{},7]").getMessage())
                .isEqualTo("body[2] (embed) must be a JSON object or null, was a number");
        assertThat(rejection(validHeaders(), "[[],{},{\"chain\":\"x\"}]").getMessage())
                .isEqualTo("embed.chain must be a JSON array or null, was a string");
        assertThat(rejection(validHeaders(), "[[],{},{\"chord\":[]}]").getMessage())
                .isEqualTo("embed.chord must be a JSON object or null, was an array");
        assertThat(rejection(validHeaders(), "[[],{},{\"chord\":[]}]").reason()).isEqualTo(Reason.WRONG_SHAPE);
    }

    @Test
    void rejectsMessagesWithoutTaskOrId() {
        var noTask = validHeaders();
        noTask.remove("task");
        var e = rejection(noTask, VALID_BODY);
        assertThat(e.reason()).isEqualTo(Reason.MISSING_HEADER);
        assertThat(e.getMessage()).isEqualTo("header 'task' is missing; every protocol v2 task message carries it");

        var nullId = validHeadersWith("id", null);
        assertThat(rejection(nullId, VALID_BODY).getMessage())
                .isEqualTo("header 'id' is null; every protocol v2 task message carries it");
        assertThat(rejection(validHeadersWith("task", "  "), VALID_BODY).reason())
                .isEqualTo(Reason.INVALID_VALUE);
    }

    @Test
    void rejectsHeadersOfTheWrongType() {
        assertThat(rejection(validHeadersWith("retries", "3"), VALID_BODY).getMessage())
                .isEqualTo("header 'retries' must be an integer, was a string 3");
        assertThat(rejection(validHeadersWith("task", 12), VALID_BODY).getMessage())
                .isEqualTo("header 'task' must be a string, was a number 12");
        assertThat(rejection(validHeadersWith("ignore_result", "yes"), VALID_BODY)
                        .reason())
                .isEqualTo(Reason.WRONG_TYPE);
        assertThat(rejection(validHeadersWith("timelimit", List.of(1)), VALID_BODY)
                        .getMessage())
                .isEqualTo("header 'timelimit' must be a list [hard, soft] of seconds, was a list [1]");
        assertThat(rejection(validHeadersWith("timelimit", List.of("a", "b")), VALID_BODY)
                        .reason())
                .isEqualTo(Reason.WRONG_TYPE);
        assertThat(rejection(validHeadersWith("retries", 1L << 40), VALID_BODY).reason())
                .isEqualTo(Reason.WRONG_TYPE);
    }

    @Test
    void rejectsImpossibleHeaderValues() {
        assertThat(rejection(validHeadersWith("eta", "next tuesday"), VALID_BODY)
                        .getMessage())
                .isEqualTo("header 'eta' is not an ISO-8601 date-time: 'next tuesday'");
        assertThat(rejection(validHeadersWith("retries", -1), VALID_BODY).getMessage())
                .isEqualTo("header 'retries' must not be negative, was -1");
        assertThat(rejection(validHeadersWith("timelimit", Arrays.asList(null, -5)), VALID_BODY)
                        .getMessage())
                .isEqualTo("header 'timelimit' soft limit must be positive, was -5");
        assertThat(rejection(validHeadersWith("id", "x".repeat(256)), VALID_BODY)
                        .reason())
                .isEqualTo(Reason.INVALID_VALUE);
    }

    @Test
    void rejectsOversizeBodiesBeforeParsingThem() {
        var small = new TaskMessageCodec(new CodecLimits(64, 64, 1000));
        byte[] body = ("[[\"" + "x".repeat(100) + "\"],{},null]").getBytes(StandardCharsets.UTF_8);
        var e = new ArrayList<MalformedMessageException>();
        try {
            small.decode(TaskProperties.forTask("x"), validHeaders(), body);
        } catch (MalformedMessageException thrown) {
            e.add(thrown);
        }
        assertThat(e).singleElement().satisfies(thrown -> {
            assertThat(thrown.reason()).isEqualTo(Reason.OVERSIZE);
            assertThat(thrown.getMessage()).isEqualTo("body is 114 bytes; at most 64 are accepted");
        });
    }

    @Test
    void rejectsJsonNestedDeeperThanTheLimit() {
        String deep = "[" + "[".repeat(100) + "]".repeat(100) + ",{},null]";
        var e = rejection(validHeaders(), deep);
        assertThat(e.reason()).isEqualTo(Reason.TOO_COMPLEX);
        assertThat(e.getMessage()).contains("nesting depth");
    }

    @Test
    void rejectsSerializersOtherThanJson() {
        var pickle = new TaskProperties("application/x-python-serialize", "binary", "x", null, null, true, null);
        var e = rejection(pickle, validHeaders(), new byte[] {(byte) 0x80, 4});
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_CONTENT_TYPE);
        assertThat(e.getMessage()).contains("application/x-python-serialize").contains("task_serializer = 'json'");
    }

    @Test
    void rejectsEncodingsOtherThanUtf8() {
        var latin1 = new TaskProperties("application/json", "latin-1", "x", null, null, true, null);
        var e = rejection(latin1, validHeaders(), VALID_BODY.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_ENCODING);
        assertThat(e.getMessage()).isEqualTo("content encoding 'latin-1' is not supported; Celeriac reads utf-8");
    }

    @Test
    void rejectsCeleryProtocolVersionOne() {
        var e = rejection(Map.of(), "{\"task\":\"demo.add\",\"id\":\"abc\",\"args\":[1,2],\"kwargs\":{}}");
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_PROTOCOL);
        assertThat(e.getMessage()).contains("protocol v1").contains("task_protocol = 2");
    }

    @Test
    void namesEachReasonForDeadLetterHeaders() {
        assertThat(Reason.WRONG_TYPE.wireName()).isEqualTo("wrong-type");
        assertThat(Reason.UNSUPPORTED_CONTENT_TYPE.wireName()).isEqualTo("unsupported-content-type");
    }
}
