package dev.celeriac.protocol.event;

import dev.celeriac.protocol.canvas.CanvasCodec;
import dev.celeriac.protocol.canvas.CanvasMessages;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * Celeriac's own events about a workflow, sent straight to the ledger's event queue (Celery monitors never see
 * them): what the ledger must know of a workflow before its tasks run.
 */
public sealed interface WorkflowEvent extends CeleryEvent {

    /**
     * A chord was accepted: the ledger starts {@code body} once every task of {@code parts} has finished. Sent and
     * confirmed before any header task is published, so the ledger knows the chord before its tasks finish.
     *
     * @param chordId the chord's id
     * @param rootId the workflow's root task id
     * @param parts the header tasks whose results the body gets, in order
     * @param body the canvas to start (Celery's signature dict), the rest of its chain included
     * @param policy what a failed header task does ({@code fail-fast} or {@code all})
     */
    record ChordDefined(
            EventSource source,
            String chordId,
            String rootId,
            List<String> parts,
            JsonNode body,
            String policy,
            Map<String, Object> extra)
            implements WorkflowEvent {
        public ChordDefined {
            Objects.requireNonNull(chordId, "chordId");
            parts = List.copyOf(parts);
            Objects.requireNonNull(body, "body");
            extra = Events.copy(extra);
        }

        /** The definition of a chord a canvas starts, as {@code source} tells the ledger of it. */
        public static ChordDefined of(EventSource source, CanvasMessages.ChordStart chord) {
            return new ChordDefined(
                    source,
                    chord.id(),
                    chord.rootId(),
                    chord.parts(),
                    CanvasCodec.write(chord.body()),
                    chord.policy().wireName(),
                    Map.of());
        }

        @Override
        public EventType type() {
            return EventType.WORKFLOW_CHORD;
        }
    }
}
