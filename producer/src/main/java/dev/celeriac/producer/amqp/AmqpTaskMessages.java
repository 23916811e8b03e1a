package dev.celeriac.producer.amqp;

import dev.celeriac.protocol.message.EncodedMessage;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.message.TaskMessageCodec;
import dev.celeriac.protocol.message.TaskProperties;
import java.util.Date;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.support.DefaultMessagePropertiesConverter;
import org.springframework.amqp.rabbit.support.MessagePropertiesConverter;

/** Converts protocol messages to Spring AMQP messages and back. */
public final class AmqpTaskMessages {

    /** Longest header string kept as a string: Celery's argsrepr and stamps can be long. */
    private static final int LONG_STRING_LIMIT = 1024 * 1024;

    private AmqpTaskMessages() {}

    /** The Spring AMQP message of an encoded task message: properties, every header (nulls included), body. */
    public static Message toMessage(EncodedMessage encoded) {
        var properties = new MessageProperties();
        TaskProperties p = encoded.properties();
        properties.setContentType(p.contentType());
        properties.setContentEncoding(p.contentEncoding());
        properties.setCorrelationId(p.correlationId());
        properties.setReplyTo(p.replyTo());
        properties.setPriority(p.priority());
        properties.setDeliveryMode(
                p.persistent() ? MessageDeliveryMode.PERSISTENT : MessageDeliveryMode.NON_PERSISTENT);
        if (p.expiration() != null) {
            properties.setExpiration(p.expiration());
        }
        encoded.headers().forEach(properties::setHeader);
        // When it was published, so that workers can measure how long it waited in its queue.
        properties.setTimestamp(new Date());
        return new Message(encoded.body(), properties);
    }

    /** The task properties of a message as it was received (or built for sending). */
    public static TaskProperties taskProperties(MessageProperties properties) {
        MessageDeliveryMode mode = properties.getReceivedDeliveryMode() != null
                ? properties.getReceivedDeliveryMode()
                : properties.getDeliveryMode();
        return new TaskProperties(
                properties.getContentType(),
                properties.getContentEncoding(),
                properties.getCorrelationId(),
                properties.getReplyTo(),
                properties.getPriority(),
                mode == MessageDeliveryMode.PERSISTENT,
                properties.getExpiration());
    }

    /**
     * Decodes a received message.
     *
     * @throws dev.celeriac.protocol.message.MalformedMessageException if it is not a valid protocol v2 task message
     */
    public static TaskMessage decode(TaskMessageCodec codec, Message message) {
        MessageProperties properties = message.getMessageProperties();
        return codec.decode(taskProperties(properties), properties.getHeaders(), message.getBody());
    }

    /**
     * A properties converter for consumers of task messages: it keeps header strings up to 1 MiB as strings (Spring's
     * default turns those over 1 KiB into streams, which the codec would reject).
     */
    public static MessagePropertiesConverter propertiesConverter() {
        return new DefaultMessagePropertiesConverter(LONG_STRING_LIMIT, true);
    }
}
