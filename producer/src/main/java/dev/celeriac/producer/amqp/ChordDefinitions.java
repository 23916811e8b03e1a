package dev.celeriac.producer.amqp;

import dev.celeriac.protocol.canvas.CanvasMessages;
import dev.celeriac.protocol.event.EventCodec;
import dev.celeriac.protocol.event.EventSource;
import dev.celeriac.protocol.event.WorkflowEvent;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.protocol.names.WireFormat;
import org.springframework.amqp.core.MessageBuilder;

/**
 * Tells the ledger of a chord a canvas starts, before or with its header tasks: its definition goes straight to the
 * ledger's event queue, mandatory, so a broker without that queue refuses the chord rather than lose it. The ledger
 * defines a chord once however often it hears of it, and decides its join when it does, so a definition that arrives
 * after its header tasks finished still starts the body.
 */
public final class ChordDefinitions {

    private final ConfirmedPublisher publisher;
    private final EventCodec events;

    public ChordDefinitions(ConfirmedPublisher publisher, EventCodec events) {
        this.publisher = publisher;
        this.events = events;
    }

    /** Sends a chord's definition; the caller awaits its confirm. */
    public ConfirmedPublisher.Pending send(CanvasMessages.ChordStart chord, EventSource source) {
        var message = MessageBuilder.withBody(events.encode(WorkflowEvent.ChordDefined.of(source, chord)))
                .setContentType(WireFormat.CONTENT_TYPE_JSON)
                .setContentEncoding(WireFormat.CONTENT_ENCODING_UTF8)
                .build();
        return publisher.send(chord.id(), "", TopologyNames.EVENT_QUEUE, TopologyNames.EVENT_QUEUE, message);
    }
}
