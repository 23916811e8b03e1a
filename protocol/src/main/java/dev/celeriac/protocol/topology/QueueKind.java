package dev.celeriac.protocol.topology;

/** How a work queue is stored by RabbitMQ. */
public enum QueueKind {
    /**
     * A replicated quorum queue with a delivery limit and at-least-once dead-lettering: the default, and the only kind
     * that quarantines a message that crashes its worker again and again.
     */
    QUORUM,
    /**
     * A classic queue with {@code x-max-priority}: priorities 0 to {@code maxPriority} are honoured, but dead-lettering
     * is at-most-once and there is no delivery limit. Opt-in per queue.
     */
    PRIORITY
}
