package dev.celeriac.protocol.canvas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.celeriac.protocol.message.CeleryFixtures;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.message.TaskMessageCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.IntNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/** What a finished step sends next, read from messages a real Celery client wrote. */
class CanvasMessagesTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

    private final TaskMessageCodec codec = new TaskMessageCodec();

    private TaskMessage fixture(String name) {
        var f = CeleryFixtures.load(name);
        return codec.decode(f.properties(), f.headers(), f.body());
    }

    private static CanvasMessages.Start after(TaskMessage parent, String role) {
        return new CanvasMessages.Start(
                parent.id(),
                parent.headers().rootId(),
                "default",
                parent.properties().replyTo(),
                "worker@test",
                NOW,
                parent.id() + "/" + role);
    }

    @Test
    void theNextStepOfACeleryChainGetsTheResultFirstItsFrozenIdAndTheRestOfTheChain() {
        TaskMessage first = fixture("chain");
        List<Canvas> rest = CanvasCodec.chainOf(first.body().embed());
        assertThat(rest).hasSize(1);

        var next = CanvasMessages.start(
                        rest.getFirst(), IntNode.valueOf(2), rest.subList(1, rest.size()), after(first, "chain"))
                .messages();

        assertThat(next).hasSize(1);
        TaskMessage sent = next.getFirst().message();
        Signature step = (Signature) rest.getFirst();
        assertThat(sent.id()).isEqualTo(step.taskId()).isNotNull();
        assertThat(sent.task()).isEqualTo("demo.add");
        assertThat(sent.body().args().toString()).isEqualTo("[2,10]");
        assertThat(sent.headers().parentId()).isEqualTo(first.id());
        assertThat(sent.headers().rootId()).isEqualTo(first.headers().rootId());
        assertThat(sent.properties().replyTo()).isEqualTo(first.properties().replyTo());
        assertThat(sent.body().embed().chain()).isNull();
        assertThat(next.getFirst().queue()).isEqualTo("default");
    }

    @Test
    void callbacksAndErrorCallbacksOfACeleryLinkAreStartedWithTheResultOrTheFailedTasksId() {
        TaskMessage linked = fixture("callbacks-errbacks");
        List<Canvas> callbacks = CanvasCodec.readAll(linked.body().embed().callbacks());
        List<Canvas> errbacks = CanvasCodec.readAll(linked.body().embed().errbacks());

        var onSuccess = CanvasMessages.startEach(callbacks, IntNode.valueOf(4), after(linked, "link"))
                .messages();
        var onFailure = CanvasMessages.startEach(errbacks, StringNode.valueOf(linked.id()), after(linked, "link_error"))
                .messages();

        assertThat(onSuccess).singleElement().satisfies(o -> {
            assertThat(o.message().task()).isEqualTo("demo.echo");
            assertThat(o.message().body().args().toString()).isEqualTo("[4]");
            assertThat(o.message().body().kwargs().toString()).isEqualTo("{\"then\":true}");
        });
        assertThat(onFailure).singleElement().satisfies(o -> {
            assertThat(o.message().task()).isEqualTo("demo.fail");
            assertThat(o.message().body().args().toString()).isEqualTo("[\"" + linked.id() + "\",\"boom\"]");
        });
    }

    @Test
    void anIdNotFrozenByTheClientIsTheSameEachTimeTheSameStepSendsIt() {
        TaskMessage linked = fixture("callbacks-errbacks");
        List<Canvas> callbacks = CanvasCodec.readAll(linked.body().embed().callbacks());

        String once = CanvasMessages.startEach(callbacks, IntNode.valueOf(4), after(linked, "link"))
                .messages()
                .getFirst()
                .message()
                .id();
        String again = CanvasMessages.startEach(callbacks, IntNode.valueOf(4), after(linked, "link"))
                .messages()
                .getFirst()
                .message()
                .id();
        String otherRole = CanvasMessages.startEach(callbacks, IntNode.valueOf(4), after(linked, "chain"))
                .messages()
                .getFirst()
                .message()
                .id();

        assertThat(once).isEqualTo(again).isNotEqualTo(otherRole).isNotEqualTo(linked.id());
    }

    @Test
    void aGroupAtTheEndOfAChainGivesTheResultToEveryMemberUnderTheGroupsId() {
        // As Celery 5.2.6 wrote chain(add.s(1, 1), group(add.s(1), add.s(2))): the group is the chain's last step.
        JsonNode chain = JSON.readTree("""
                [{"task": "celery.group", "args": [], "kwargs": {"tasks": [
                  {"task": "demo.add", "args": [1], "kwargs": {},
                   "options": {"task_id": "e9804a78-d0ca-4786-8de5-df37f193c859", "reply_to": "r", "group_index": 0},
                   "subtask_type": null, "immutable": false},
                  {"task": "demo.add", "args": [2], "kwargs": {},
                   "options": {"task_id": "24851311-bd0c-4fda-877d-057cfee93003", "reply_to": "r", "group_index": 1},
                   "subtask_type": null, "immutable": false}]},
                 "options": {"task_id": "b822fbde-8b62-4fd7-af26-588a085c19d5", "root_id": null, "parent_id": null},
                 "subtask_type": "group", "immutable": false}]
                """);
        List<Canvas> rest = CanvasCodec.readAll(chain).reversed();

        var members = CanvasMessages.start(
                        rest.getFirst(),
                        IntNode.valueOf(2),
                        List.of(),
                        new CanvasMessages.Start("p", "root", "default", null, "w", NOW, "p/chain"))
                .messages();

        assertThat(members)
                .extracting(o -> o.message().body().args().toString())
                .containsExactly("[2,1]", "[2,2]");
        assertThat(members)
                .extracting(o -> o.message().headers().group())
                .containsOnly("b822fbde-8b62-4fd7-af26-588a085c19d5");
        assertThat(members).extracting(o -> o.message().headers().groupIndex()).containsExactly(0, 1);
        assertThat(members).extracting(o -> o.message().headers().rootId()).containsOnly("root");
    }

    @Test
    void aChainStartsWithItsFirstStepCarryingTheOthersLastFirstAsCeleryDoes() {
        var a = step("demo.add", "[1, 1]", "{\"task_id\": \"a\"}", false);
        var b = step("demo.add", "[2]", "{\"task_id\": \"b\", \"queue\": \"cpu\", \"countdown\": 5}", false);
        var c = step("demo.echo", "[\"done\"]", "{\"task_id\": \"c\"}", true);

        var sent = CanvasMessages.start(
                        new Chain(List.of(a, b, c)),
                        null,
                        List.of(),
                        new CanvasMessages.Start(null, null, "default", null, "client", NOW, "submit"))
                .messages();

        TaskMessage firstStep = sent.getFirst().message();
        assertThat(sent).hasSize(1);
        assertThat(firstStep.id()).isEqualTo("a");
        assertThat(firstStep.headers().rootId()).isEqualTo("a");
        List<Canvas> carried = CanvasCodec.chainOf(firstStep.body().embed());
        assertThat(carried).containsExactly(b, c);

        var second = CanvasMessages.start(
                        carried.getFirst(),
                        IntNode.valueOf(2),
                        carried.subList(1, 2),
                        new CanvasMessages.Start("a", "a", "default", null, "worker", NOW, "a/chain"))
                .messages();
        assertThat(second.getFirst().queue()).isEqualTo("cpu");
        assertThat(second.getFirst().message().headers().eta()).isEqualTo(NOW.plus(Duration.ofSeconds(5)));
        assertThat(second.getFirst().message().headers().rootId()).isEqualTo("a");

        var third = CanvasMessages.start(
                        c,
                        IntNode.valueOf(4),
                        List.of(),
                        new CanvasMessages.Start("b", "a", "default", null, "w", NOW, "b/chain"))
                .messages();
        assertThat(third.getFirst().message().body().args().toString()).isEqualTo("[\"done\"]");
    }

    @Test
    void everyMessageOfAHundredStepChainStaysInKilobytesAndShrinksStepByStep() {
        var steps = new ArrayList<Canvas>();
        for (int i = 0; i < 100; i++) {
            steps.add(step("demo.add", "[" + i + "]", "{\"task_id\": \"" + UUID.randomUUID() + "\"}", false));
        }
        var sizes = new ArrayList<Integer>();
        List<Canvas> rest = steps;
        JsonNode result = null;
        String parent = null;
        while (!rest.isEmpty()) {
            var sent = CanvasMessages.start(
                            rest.getFirst(),
                            result,
                            rest.subList(1, rest.size()),
                            new CanvasMessages.Start(parent, "root", "default", null, "w", NOW, "s"))
                    .messages()
                    .getFirst()
                    .message();
            sizes.add(codec.encode(sent).body().length);
            rest = CanvasCodec.chainOf(sent.body().embed());
            result = IntNode.valueOf(sizes.size());
            parent = sent.id();
        }

        assertThat(sizes).hasSize(100);
        assertThat(sizes.getFirst()).isLessThan(16 * 1024);
        assertThat(sizes).isSortedAccordingTo((a, b) -> Integer.compare(b, a));
        assertThat(sizes.getLast()).isLessThan(200);
    }

    @Test
    void aGroupFollowedByAnotherStepIsAChordAndIsRefusedBeforeAnythingIsSent() {
        var group = new Group("g", List.of(step("demo.add", "[1, 1]", "{}", false)));
        var after = step("demo.echo", "[]", "{}", false);

        assertThatThrownBy(() -> CanvasMessages.start(
                                new Chain(List.of(group, after)),
                                null,
                                List.of(),
                                new CanvasMessages.Start(null, null, "default", null, "c", NOW, "s"))
                        .messages())
                .isInstanceOf(UnsupportedCanvasException.class)
                .hasMessageContaining("chord");
    }

    @Test
    void aChordIsDefinedWithItsHeadersResultIdsAndABodyCarryingTheRestOfItsChain() {
        var header = new Group(
                "c1",
                List.of(
                        step("demo.add", "[1, 1]", "{\"task_id\": \"h0\"}", false),
                        new Chain(List.of(
                                step("demo.add", "[2, 2]", "{\"task_id\": \"h1a\"}", false),
                                step("demo.add", "[1]", "{\"task_id\": \"h1b\"}", false)))));
        var body = step("demo.sum", "[]", "{\"task_id\": \"b\"}", false);
        var after = step("demo.add", "[100]", "{\"task_id\": \"z\"}", false);

        var launch = CanvasMessages.launch(
                new Chain(List.of(new Chord("c1", header, body, ChordPolicy.FAIL_FAST), after)),
                new CanvasMessages.Start(null, "h0", "default", null, "client", NOW, "h0"));

        assertThat(launch.chords()).singleElement().satisfies(chord -> {
            assertThat(chord.parts()).containsExactly("h0", "h1b");
            assertThat(chord.body()).isEqualTo(new Chain(List.of(body, after)));
            assertThat(chord.rootId()).isEqualTo("h0");
        });
        assertThat(launch.messages()).extracting(o -> o.message().id()).containsExactly("h0", "h1a");
        assertThat(launch.messages())
                .extracting(o -> o.message().headers().group())
                .containsOnly("c1");
        assertThat(CanvasCodec.read(CanvasCodec.write(new Chord("c1", header, body, ChordPolicy.ALL))))
                .isEqualTo(new Chord("c1", header, body, ChordPolicy.ALL));
    }

    @Test
    void aChordAfterAStepIsStartedByThatStepGivingEachHeaderMemberItsResultAndAChordInABodyByTheBody() {
        var inner = new Chord(
                "c2",
                new Group("c2", List.of(step("demo.add", "[1]", "{\"task_id\": \"i0\"}", false))),
                step("demo.sum", "[]", "{\"task_id\": \"ib\"}", false),
                ChordPolicy.FAIL_FAST);
        var chord = new Chord(
                "c1",
                new Group(
                        "c1",
                        List.of(
                                step("demo.add", "[1]", "{\"task_id\": \"h0\"}", false),
                                step("demo.add", "[2]", "{\"task_id\": \"h1\"}", false))),
                inner,
                ChordPolicy.FAIL_FAST);
        var client = new CanvasMessages.Start(null, "a", "default", null, "c", NOW, "a");

        // The client sends the first step only; the chord travels in its embed.
        var launch = CanvasMessages.launch(
                new Chain(List.of(step("demo.add", "[1, 1]", "{\"task_id\": \"a\"}", false), chord)), client);
        assertThat(launch.chords()).isEmpty();
        assertThat(launch.messages())
                .singleElement()
                .satisfies(m -> assertThat(m.message().id()).isEqualTo("a"));

        // The worker that finishes it with 2 defines the chord and sends its header, each member given 2.
        var afterA = CanvasMessages.start(
                chord,
                IntNode.valueOf(2),
                List.of(),
                new CanvasMessages.Start("a", "a", "default", null, "w", NOW, "a/chain"));
        assertThat(afterA.chords()).singleElement().satisfies(c -> {
            assertThat(c.id()).isEqualTo("c1");
            assertThat(c.parts()).containsExactly("h0", "h1");
            assertThat(c.body()).isEqualTo(inner);
            assertThat(c.rootId()).isEqualTo("a");
        });
        assertThat(afterA.messages())
                .extracting(o -> o.message().body().args().toString())
                .containsExactly("[2,1]", "[2,2]");

        // The body, started with the header's results, is itself a chord: defined by whoever starts it.
        var body = CanvasMessages.start(
                inner,
                JSON.readTree("[3, 4]"),
                List.of(),
                new CanvasMessages.Start(null, "a", "default", null, "api", NOW, "c1/body"));
        assertThat(body.chords())
                .singleElement()
                .satisfies(c -> assertThat(c.parts()).containsExactly("i0"));
        assertThat(body.messages())
                .extracting(o -> o.message().body().args().toString())
                .containsExactly("[[3,4],1]");
    }

    @Test
    void aGroupInAHeaderIsRefused() {
        var nested = new Chord(
                "c2",
                new Group("c2", List.of(new Group("g", List.of()))),
                step("demo.sum", "[]", "{}", false),
                ChordPolicy.FAIL_FAST);
        assertThatThrownBy(() -> CanvasMessages.launch(
                        nested, new CanvasMessages.Start(null, "r", "default", null, "c", NOW, "s")))
                .isInstanceOf(UnsupportedCanvasException.class)
                .hasMessageContaining("header");
    }

    @Test
    void chordsAndOtherKindsCeleriacDoesNotRunAreNamedInTheError() {
        JsonNode chunks = JSON.readTree("{\"task\": \"celery.chunks\", \"subtask_type\": \"chunks\", \"options\": {}}");

        assertThatThrownBy(() -> CanvasCodec.read(chunks))
                .isInstanceOf(UnsupportedCanvasException.class)
                .hasMessageContaining("'chunks'");
    }

    @Test
    void signaturesWrittenByCeleriacReadBackTheSame() {
        var a = step("demo.add", "[1]", "{\"task_id\": \"a\", \"link\": []}", false);
        var g = new Group("g", List.of(a, new Chain(List.of(a, step("demo.echo", "[]", "{}", true)))));

        assertThat(CanvasCodec.read(CanvasCodec.write(g))).isEqualTo(g);
    }

    private static Signature step(String task, String args, String options, boolean immutable) {
        return new Signature(
                task, (ArrayNode) JSON.readTree(args), null, (ObjectNode) JSON.readTree(options), immutable);
    }
}
