package dev.celeriac.protocol.topology;

/**
 * A binding of a queue to an exchange.
 *
 * @param exchange source exchange
 * @param queue destination queue
 * @param routingKey binding key
 */
public record BindingSpec(String exchange, String queue, String routingKey) {}
