package dev.celeriac.worker.internal.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.celeriac.worker.CeleriacSchedule;
import dev.celeriac.worker.CeleriacTask;
import java.util.Comparator;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ScheduleDeclarationsTests {

    private final JsonMapper json = JsonMapper.builder().build();

    static class Reports {
        @CeleriacTask(name = "reports.nightly")
        @CeleriacSchedule(cron = "30 2 * * *", zone = "Europe/Berlin", kwargs = "{\"format\": \"pdf\"}")
        public void nightly(String format) {}

        @CeleriacTask(name = "reports.ping")
        @CeleriacSchedule(id = "ping-fast", every = "10s", args = "[1]", missed = "run-each", overlap = "skip")
        @CeleriacSchedule(id = "ping-slow", every = "1h", startingDeadline = "5m")
        public void ping(int n) {}
    }

    @Test
    void eachScheduleBecomesWhatTheApiTakesWithItsDefaults() {
        var declarations = new ScheduleDeclarations(json);
        declarations.postProcessAfterInitialization(new Reports(), "reports");

        var all = declarations.all().stream()
                .sorted(Comparator.comparing(s -> s.get("id").asString()))
                .toList();

        assertThat(all)
                .extracting(s -> s.get("id").asString())
                .containsExactly("ping-fast", "ping-slow", "reports.nightly");
        JsonNode nightly = all.get(2);
        assertThat(nightly.get("task").asString()).isEqualTo("reports.nightly");
        assertThat(nightly.get("cron").asString()).isEqualTo("30 2 * * *");
        assertThat(nightly.get("zone").asString()).isEqualTo("Europe/Berlin");
        assertThat(nightly.get("kwargs").get("format").asString()).isEqualTo("pdf");
        assertThat(nightly.get("missed").asString()).isEqualTo("run-once");
        assertThat(nightly.get("overlap").asString()).isEqualTo("allow");
        JsonNode fast = all.get(0);
        assertThat(fast.get("every").asString()).isEqualTo("PT10S");
        assertThat(fast.get("args").get(0).asInt()).isEqualTo(1);
        assertThat(fast.get("missed").asString()).isEqualTo("run-each");
        assertThat(fast.get("overlap").asString()).isEqualTo("skip");
        assertThat(all.get(1).get("startingDeadline").asString()).isEqualTo("PT5M");
    }

    static class NoTrigger {
        @CeleriacTask(name = "t.none")
        @CeleriacSchedule
        public void run() {}
    }

    static class BadCron {
        @CeleriacTask(name = "t.cron")
        @CeleriacSchedule(cron = "0 61 * * * *")
        public void run() {}
    }

    static class BadZone {
        @CeleriacTask(name = "t.zone")
        @CeleriacSchedule(cron = "@daily", zone = "Mars/Olympus")
        public void run() {}
    }

    static class TooOften {
        @CeleriacTask(name = "t.often")
        @CeleriacSchedule(every = "500ms")
        public void run() {}
    }

    static class BadArgs {
        @CeleriacTask(name = "t.args")
        @CeleriacSchedule(every = "1m", args = "{\"a\": 1}")
        public void run() {}
    }

    static class BadPolicy {
        @CeleriacTask(name = "t.policy")
        @CeleriacSchedule(every = "1m", missed = "sometimes")
        public void run() {}
    }

    static class NotATask {
        @CeleriacSchedule(every = "1m")
        public void run() {}
    }

    static class TwoWithoutIds {
        @CeleriacTask(name = "t.two")
        @CeleriacSchedule(every = "1m")
        @CeleriacSchedule(every = "1h")
        public void run() {}
    }

    @Test
    void aScheduleThatCouldNeverFireStopsTheWorkerWithTheMethodAndTheReason() {
        assertRefused(new NoTrigger(), "exactly one of cron and every");
        assertRefused(new BadCron(), "61");
        assertRefused(new BadZone(), "Mars/Olympus");
        assertRefused(new TooOften(), "at least 1 second");
        assertRefused(new BadArgs(), "args must be a JSON array");
        assertRefused(new BadPolicy(), "missed must be one of");
        assertRefused(new NotATask(), "no @CeleriacTask");
        assertRefused(new TwoWithoutIds(), "give each of a task's schedules an id");
    }

    private void assertRefused(Object bean, String reason) {
        assertThatThrownBy(() -> new ScheduleDeclarations(json).postProcessAfterInitialization(bean, "bean"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("@CeleriacSchedule on bean.run")
                .hasMessageContaining(reason);
    }
}
