package dev.celeriac.api.internal.ledger;

import dev.celeriac.protocol.state.TaskState;
import java.io.StringWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A task's history as the ledger stores it: one compact JSON object a line, appended as state changes arrive, in
 * whatever order and however often. Reading sorts the lines by time, drops exact copies (an event delivered twice)
 * and fills in attempts that an event left out from the entry before it.
 */
final class HistoryLines {

    private static final String AT = "t";
    private static final String STATE = "s";
    private static final String ATTEMPT = "a";
    private static final String REPLAY = "r";
    private static final String WORKER = "w";
    private static final String DETAIL = "d";

    private static final Comparator<HistoryEntry> ORDER = Comparator.comparing(HistoryEntry::at)
            .thenComparingInt(HistoryEntry::replay)
            .thenComparingInt(e -> e.state().rank());

    private static final JsonMapper json = JsonMapper.builder().build();

    private HistoryLines() {}

    /** The lines of the given entries, each ending in a newline; {@code null} for none. */
    static String encode(List<HistoryEntry> entries) {
        if (entries.isEmpty()) {
            return null;
        }
        // Written straight to the text, a generator a line: the recorder encodes every change of every task it
        // writes, and a tree built and serialised per line was a sixth of its CPU.
        var text = new StringWriter(entries.size() * 64);
        for (HistoryEntry entry : entries) {
            try (JsonGenerator line = json.createGenerator(text)) {
                line.writeStartObject();
                line.writeNumberProperty(AT, ChronoUnit.MICROS.between(Instant.EPOCH, entry.at()));
                line.writeStringProperty(STATE, entry.state().name());
                if (entry.attempt() != null) {
                    line.writeNumberProperty(ATTEMPT, entry.attempt());
                }
                if (entry.replay() != 0) {
                    line.writeNumberProperty(REPLAY, entry.replay());
                }
                if (entry.worker() != null) {
                    line.writeStringProperty(WORKER, entry.worker());
                }
                if (entry.detail() != null) {
                    line.writeStringProperty(DETAIL, entry.detail());
                }
                line.writeEndObject();
            }
            text.append('\n');
        }
        return text.toString();
    }

    /** The entries of stored lines, oldest first, each once. */
    static List<HistoryEntry> decode(String lines) {
        if (lines == null || lines.isEmpty()) {
            return List.of();
        }
        var entries = new LinkedHashSet<HistoryEntry>();
        for (String line : lines.split("\n")) {
            if (!line.isBlank()) {
                entries.add(entry(json.readTree(line)));
            }
        }
        var sorted = new ArrayList<>(entries);
        sorted.sort(ORDER);
        var filled = new ArrayList<HistoryEntry>(sorted.size());
        Integer attempt = 0;
        int replay = 0;
        for (HistoryEntry entry : sorted) {
            if (entry.replay() != replay) {
                attempt = 0; // a replay starts again from the first attempt
                replay = entry.replay();
            }
            if (entry.attempt() == null) {
                entry = new HistoryEntry(
                        entry.at(), entry.state(), attempt, entry.replay(), entry.worker(), entry.detail());
            }
            attempt = entry.attempt();
            filled.add(entry);
        }
        return List.copyOf(filled);
    }

    private static HistoryEntry entry(JsonNode line) {
        long micros = line.path(AT).asLong();
        return new HistoryEntry(
                Instant.EPOCH.plus(micros, ChronoUnit.MICROS),
                TaskState.valueOf(line.path(STATE).asString()),
                line.has(ATTEMPT) ? line.get(ATTEMPT).asInt() : null,
                line.path(REPLAY).asInt(0),
                line.has(WORKER) ? line.get(WORKER).asString() : null,
                line.has(DETAIL) ? line.get(DETAIL).asString() : null);
    }
}
