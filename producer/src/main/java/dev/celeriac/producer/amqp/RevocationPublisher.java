package dev.celeriac.producer.amqp;

import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.protocol.control.Revoke;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.protocol.names.WireFormat;
import java.time.Duration;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import tools.jackson.databind.json.JsonMapper;

/** Publishes revocations on the revocation stream, which every worker follows, and waits for the broker's confirm. */
public final class RevocationPublisher {

    private final ConfirmedPublisher publisher;
    private final JsonMapper mapper;
    private final Duration confirmTimeout;

    public RevocationPublisher(ConfirmedPublisher publisher, JsonMapper mapper, Duration confirmTimeout) {
        this.publisher = publisher;
        this.mapper = mapper;
        this.confirmTimeout = confirmTimeout;
    }

    /**
     * Publishes the revocation and waits for its confirm.
     *
     * @throws TaskPublishException if the broker did not take it
     */
    public void publish(Revoke revoke) {
        var properties = new MessageProperties();
        properties.setContentType(WireFormat.CONTENT_TYPE_JSON);
        properties.setContentEncoding(WireFormat.CONTENT_ENCODING_UTF8);
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        publisher.sendAndWait(
                revoke.taskIds().getFirst(),
                "",
                TopologyNames.REVOCATION_STREAM,
                TopologyNames.REVOCATION_STREAM,
                new Message(revoke.encode(mapper), properties),
                confirmTimeout);
    }
}
