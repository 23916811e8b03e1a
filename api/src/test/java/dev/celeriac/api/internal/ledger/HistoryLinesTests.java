package dev.celeriac.api.internal.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.protocol.state.TaskState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The history's stored lines: their exact text (rows written before stay readable), and a round trip. */
class HistoryLinesTests {

    private static final Instant AT = Instant.parse("2026-12-01T12:00:00.123456789Z");

    @Test
    void writesOneCompactObjectALineInMicrosecondsWithOnlyTheFieldsItHas() {
        String text = HistoryLines.encode(List.of(
                new HistoryEntry(AT, TaskState.PENDING, null, 0, null, "submitted"),
                new HistoryEntry(AT.plusMillis(2), TaskState.STARTED, 1, 2, "w@h", null)));

        assertThat(text)
                .isEqualTo("{\"t\":1796126400123456,\"s\":\"PENDING\",\"d\":\"submitted\"}\n"
                        + "{\"t\":1796126400125456,\"s\":\"STARTED\",\"a\":1,\"r\":2,\"w\":\"w@h\"}\n");
        assertThat(HistoryLines.encode(List.of())).isNull();
    }

    @Test
    void readsBackWhatItWroteWhateverTheDetailHolds() {
        var entries = List.of(
                new HistoryEntry(AT, TaskState.PENDING, 0, 0, null, "submitted"),
                new HistoryEntry(AT.plusSeconds(1), TaskState.FAILURE, 0, 0, "w@h", "line one\nline \"two\" ü\t\\"));
        var micros = entries.stream()
                .map(e -> new HistoryEntry(
                        e.at().minusNanos(e.at().getNano() % 1_000),
                        e.state(),
                        e.attempt(),
                        e.replay(),
                        e.worker(),
                        e.detail()))
                .toList();

        assertThat(HistoryLines.decode(HistoryLines.encode(entries))).isEqualTo(micros);
        assertThat(HistoryLines.encode(entries).lines()).hasSize(2);
    }
}
