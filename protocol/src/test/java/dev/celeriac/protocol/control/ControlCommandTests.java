package dev.celeriac.protocol.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.celeriac.protocol.message.MalformedMessageException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class ControlCommandTests {

    private final JsonMapper mapper = JsonMapper.builder().build();

    private ControlCommand decode(String json) {
        return ControlCommand.decode(mapper, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsACommandAsKombusMailboxSendsIt() {
        // kombu 5.2 Mailbox._publish for `celery inspect ping`
        ControlCommand ping = decode("{\"method\": \"ping\", \"arguments\": {}, \"destination\": null,"
                + " \"pattern\": null, \"matcher\": null, \"ticket\": \"a0b1\","
                + " \"reply_to\": {\"exchange\": \"reply.celery.pidbox\", \"routing_key\": \"c2d3\"}}");

        assertThat(ping.method()).isEqualTo("ping");
        assertThat(ping.wantsReply()).isTrue();
        assertThat(ping.replyTo()).isEqualTo(new ControlCommand.ReplyTo("reply.celery.pidbox", "c2d3"));
        assertThat(ping.ticket()).isEqualTo("a0b1");
        assertThat(ping.isFor("anyone@anywhere")).isTrue();
        assertThat(decode(new String(ping.encode(mapper), StandardCharsets.UTF_8)))
                .isEqualTo(ping);
    }

    @Test
    void aDestinationOrAPatternSelectsNodes() {
        ControlCommand destined = decode("{\"method\": \"ping\", \"destination\": [\"a@x\", \"b@x\"]}");
        assertThat(destined.isFor("a@x")).isTrue();
        assertThat(destined.isFor("c@x")).isFalse();
        assertThat(destined.wantsReply()).isFalse();

        ControlCommand glob = decode("{\"method\": \"ping\", \"pattern\": \"java-*@x\", \"matcher\": \"glob\"}");
        assertThat(glob.isFor("java-1@x")).isTrue();
        assertThat(glob.isFor("python-1@x")).isFalse();
        assertThat(glob.isFor("java-1@xy")).isFalse();

        ControlCommand pcre = decode("{\"method\": \"ping\", \"pattern\": \"^java-\\\\d+@\", \"matcher\": \"pcre\"}");
        assertThat(pcre.isFor("java-12@x")).isTrue();
        assertThat(pcre.isFor("java-a@x")).isFalse();

        assertThat(decode("{\"method\": \"ping\", \"pattern\": \"[\", \"matcher\": \"pcre\"}")
                        .isFor("a"))
                .isFalse();
    }

    @Test
    void globsFollowPythonsFnmatch() {
        assertThat(ControlCommand.globToRegex("w?.[ab]*")).matches(r -> "wx.b-1".matches(r));
        assertThat("wx.c".matches(ControlCommand.globToRegex("w?.[!ab]"))).isTrue();
        assertThat("w.(x)".matches(ControlCommand.globToRegex("w.(x)"))).isTrue();
        assertThat("wa(x)".matches(ControlCommand.globToRegex("w.(x)"))).isFalse();
    }

    @Test
    void aRevokeOrTerminateCommandBecomesARevoke() {
        Revoke revoke = Revoke.of(decode("{\"method\": \"revoke\", \"arguments\": {\"task_id\": [\"t1\", \"t2\"],"
                + " \"terminate\": false, \"signal\": null}}"));
        assertThat(revoke).isEqualTo(new Revoke(List.of("t1", "t2"), false, null));

        Revoke terminate = Revoke.of(
                decode("{\"method\": \"terminate\", \"arguments\": {\"signal\": \"SIGKILL\", \"task_id\": \"t3\"}}"));
        assertThat(terminate).isEqualTo(new Revoke(List.of("t3"), true, "SIGKILL"));

        assertThatThrownBy(() -> Revoke.of(decode("{\"method\": \"revoke\", \"arguments\": {}}")))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("task_id");
        assertThatThrownBy(() -> Revoke.of(decode("{\"method\": \"ping\"}")))
                .isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void refusesWhatIsNoCommandAndWritesRepliesKeyedByNode() {
        assertThatThrownBy(() -> decode("not json")).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> decode("{\"arguments\": {}}"))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("no method");
        assertThat(new String(ControlCommand.encodeReply(mapper, "w@h", Map.of("ok", "pong")), StandardCharsets.UTF_8))
                .isEqualTo("{\"w@h\":{\"ok\":\"pong\"}}");
    }
}
