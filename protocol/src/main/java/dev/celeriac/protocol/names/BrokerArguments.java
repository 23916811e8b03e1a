package dev.celeriac.protocol.names;

import java.util.Map;

/** RabbitMQ queue argument names and values that the Celeriac topology uses. */
public final class BrokerArguments {

    public static final String QUEUE_TYPE = "x-queue-type";
    public static final String QUEUE_TYPE_QUORUM = "quorum";
    public static final String QUEUE_TYPE_CLASSIC = "classic";
    public static final String QUEUE_TYPE_STREAM = "stream";
    public static final String MAX_AGE = "x-max-age";
    public static final String STREAM_MAX_SEGMENT_SIZE = "x-stream-max-segment-size-bytes";
    /** Consumer argument of a stream: where to start reading (a timestamp, an offset, "first", "last", "next"). */
    public static final String STREAM_OFFSET = "x-stream-offset";

    public static final String DELIVERY_LIMIT = "x-delivery-limit";
    public static final String DEAD_LETTER_EXCHANGE = "x-dead-letter-exchange";
    public static final String DEAD_LETTER_ROUTING_KEY = "x-dead-letter-routing-key";
    public static final String DEAD_LETTER_STRATEGY = "x-dead-letter-strategy";
    public static final String DEAD_LETTER_STRATEGY_AT_LEAST_ONCE = "at-least-once";
    public static final String OVERFLOW = "x-overflow";
    public static final String OVERFLOW_REJECT_PUBLISH = "reject-publish";
    public static final String OVERFLOW_DROP_HEAD = "drop-head";
    public static final String SINGLE_ACTIVE_CONSUMER = "x-single-active-consumer";
    public static final String MAX_LENGTH = "x-max-length";
    public static final String MAX_PRIORITY = "x-max-priority";
    public static final String MESSAGE_TTL = "x-message-ttl";

    public static final String EXCHANGE_DIRECT = "direct";
    public static final String EXCHANGE_FANOUT = "fanout";
    public static final String EXCHANGE_TOPIC = "topic";

    /**
     * The arguments of a type's baton queue ({@link TopologyNames#rateLimitReleaser}): a quorum queue with a single
     * active consumer, which keeps at most one baton ready beside the one its active consumer holds.
     */
    public static final Map<String, Object> RATE_LIMIT_BATON_QUEUE = Map.of(
            QUEUE_TYPE, QUEUE_TYPE_QUORUM, SINGLE_ACTIVE_CONSUMER, true, MAX_LENGTH, 1, OVERFLOW, OVERFLOW_DROP_HEAD);

    private BrokerArguments() {}
}
