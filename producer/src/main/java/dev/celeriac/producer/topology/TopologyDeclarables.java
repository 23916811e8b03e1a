package dev.celeriac.producer.topology;

import dev.celeriac.protocol.names.BrokerArguments;
import dev.celeriac.protocol.topology.BindingSpec;
import dev.celeriac.protocol.topology.ExchangeSpec;
import dev.celeriac.protocol.topology.QueueSpec;
import dev.celeriac.protocol.topology.Topology;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.Exchange;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;

/**
 * Spring AMQP declarations of a {@link Topology}. A {@code RabbitAdmin} declares them idempotently whenever a
 * connection opens, so whichever component starts first creates the topology and the others find it as they expect.
 */
public final class TopologyDeclarables {

    private TopologyDeclarables() {}

    /** The exchanges, queues and bindings of the topology, all durable. */
    public static Declarables of(Topology topology) {
        var declarables = new ArrayList<Declarable>();
        for (ExchangeSpec exchange : topology.exchanges()) {
            declarables.add(exchange(exchange));
        }
        for (QueueSpec queue : topology.queues()) {
            declarables.add(new Queue(queue.name(), true, false, false, new LinkedHashMap<>(queue.arguments())));
        }
        for (BindingSpec binding : topology.bindings()) {
            declarables.add(new Binding(
                    binding.queue(), Binding.DestinationType.QUEUE, binding.exchange(), binding.routingKey(), null));
        }
        return new Declarables(declarables);
    }

    private static Exchange exchange(ExchangeSpec spec) {
        return switch (spec.type()) {
            case BrokerArguments.EXCHANGE_DIRECT -> new DirectExchange(spec.name(), true, false);
            case BrokerArguments.EXCHANGE_FANOUT -> new FanoutExchange(spec.name(), true, false);
            case BrokerArguments.EXCHANGE_TOPIC -> new TopicExchange(spec.name(), true, false);
            default ->
                throw new IllegalArgumentException(
                        "exchange type '" + spec.type() + "' of '" + spec.name() + "' is not supported");
        };
    }
}
