package dev.celeriac.protocol.topology;

/**
 * A durable exchange.
 *
 * @param name exchange name
 * @param type {@code direct}, {@code fanout} or {@code topic}
 */
public record ExchangeSpec(String name, String type) {}
