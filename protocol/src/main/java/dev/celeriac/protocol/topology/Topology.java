package dev.celeriac.protocol.topology;

import static dev.celeriac.protocol.names.BrokerArguments.*;

import dev.celeriac.protocol.names.TopologyNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * Every exchange, queue and binding of a Celeriac deployment, with the arguments of each queue. Every component
 * (producer, worker, API) declares the topology built here, and so declares each queue with the same arguments; the
 * broker definitions shipped for the compose stack are checked against it.
 *
 * <ul>
 *   <li>{@code celeriac.tasks} (direct) routes to each work queue by its name; {@code celeriac.dead} (direct) routes
 *       to each work queue's {@code <name>.dlq}.
 *   <li>A work queue dead-letters to its dead-letter queue: a quorum queue after its delivery limit, at least once.
 *   <li>Each work queue has a quarantine {@code <name>.suspect}, where workers put a task whose delivery ended without
 *       a settle (its worker crashed) and run it alone; it dead-letters to the same dead-letter queue.
 *   <li>Each delay tier {@code celeriac.delay.<ttl>} (fanout exchange and quorum queue) expires messages back to
 *       {@code celeriac.tasks}, keeping their routing key, i.e. their work queue.
 *   <li>{@code celeryev} (topic) carries events; {@code celeriac.events} keeps task and worker events for the ledger.
 *   <li>{@code celeriac.revocations} (a stream) keeps revocations for a week for every worker, running or not yet.
 * </ul>
 *
 * @param exchanges the exchanges, all durable
 * @param queues the queues, all durable
 * @param bindings the bindings
 */
public record Topology(List<ExchangeSpec> exchanges, List<QueueSpec> queues, List<BindingSpec> bindings) {

    public Topology {
        exchanges = List.copyOf(exchanges);
        queues = List.copyOf(queues);
        bindings = List.copyOf(bindings);
    }

    /** The topology for the given work queues and delay ladder. */
    public static Topology of(List<WorkQueue> workQueues, DelayLadder ladder) {
        Objects.requireNonNull(ladder, "ladder");
        var names = new LinkedHashSet<String>();
        for (WorkQueue queue : workQueues) {
            if (!names.add(queue.name())) {
                throw new IllegalArgumentException("work queue '" + queue.name() + "' is configured twice");
            }
            if (queue.name().startsWith("celeriac.")
                    || queue.name().equals(TopologyNames.EVENT_EXCHANGE)
                    || queue.name().endsWith(TopologyNames.DEAD_LETTER_QUEUE_SUFFIX)
                    || queue.name().endsWith(TopologyNames.SUSPECT_QUEUE_SUFFIX)) {
                throw new IllegalArgumentException(
                        "work queue '" + queue.name() + "' uses a name reserved for Celeriac's own queues");
            }
        }
        var exchanges = new ArrayList<ExchangeSpec>();
        var queues = new ArrayList<QueueSpec>();
        var bindings = new ArrayList<BindingSpec>();

        exchanges.add(new ExchangeSpec(TopologyNames.TASK_EXCHANGE, EXCHANGE_DIRECT));
        exchanges.add(new ExchangeSpec(TopologyNames.DEAD_LETTER_EXCHANGE, EXCHANGE_DIRECT));
        exchanges.add(new ExchangeSpec(TopologyNames.EVENT_EXCHANGE, EXCHANGE_TOPIC));

        for (WorkQueue queue : workQueues) {
            queues.add(new QueueSpec(queue.name(), workQueueArguments(queue)));
            bindings.add(new BindingSpec(TopologyNames.TASK_EXCHANGE, queue.name(), queue.name()));
            String deadLetters = TopologyNames.deadLetterQueue(queue.name());
            queues.add(new QueueSpec(deadLetters, Map.of(QUEUE_TYPE, QUEUE_TYPE_QUORUM)));
            bindings.add(new BindingSpec(TopologyNames.DEAD_LETTER_EXCHANGE, deadLetters, queue.name()));
            queues.add(new QueueSpec(TopologyNames.suspectQueue(queue.name()), suspectQueueArguments(queue)));
        }

        for (DelayTier tier : ladder.tiers()) {
            exchanges.add(new ExchangeSpec(tier.name(), EXCHANGE_FANOUT));
            var arguments = new LinkedHashMap<String, Object>();
            arguments.put(QUEUE_TYPE, QUEUE_TYPE_QUORUM);
            arguments.put(MESSAGE_TTL, tier.ttlMillis());
            arguments.put(DEAD_LETTER_EXCHANGE, TopologyNames.TASK_EXCHANGE);
            arguments.put(DEAD_LETTER_STRATEGY, DEAD_LETTER_STRATEGY_AT_LEAST_ONCE);
            arguments.put(OVERFLOW, OVERFLOW_REJECT_PUBLISH);
            queues.add(new QueueSpec(tier.name(), arguments));
            bindings.add(new BindingSpec(tier.name(), tier.name(), ""));
        }

        queues.add(new QueueSpec(TopologyNames.EVENT_QUEUE, Map.of(QUEUE_TYPE, QUEUE_TYPE_QUORUM)));
        var revocations = new LinkedHashMap<String, Object>();
        revocations.put(QUEUE_TYPE, QUEUE_TYPE_STREAM);
        revocations.put(MAX_AGE, TopologyNames.REVOCATION_RETENTION);
        // Small segments, so that age-based retention can drop old ones: revocations are tiny.
        revocations.put(STREAM_MAX_SEGMENT_SIZE, 1_000_000);
        queues.add(new QueueSpec(TopologyNames.REVOCATION_STREAM, revocations));
        bindings.add(new BindingSpec(
                TopologyNames.EVENT_EXCHANGE, TopologyNames.EVENT_QUEUE, TopologyNames.EVENT_BINDING_TASK));
        bindings.add(new BindingSpec(
                TopologyNames.EVENT_EXCHANGE, TopologyNames.EVENT_QUEUE, TopologyNames.EVENT_BINDING_WORKER));
        return new Topology(exchanges, queues, bindings);
    }

    /**
     * The arguments of a work queue. They are public so that other clients (a Python Celery app declaring the same
     * queue, say) can be configured with exactly the same ones.
     */
    public static Map<String, Object> workQueueArguments(WorkQueue queue) {
        var arguments = new LinkedHashMap<String, Object>();
        if (queue.kind() == QueueKind.QUORUM) {
            arguments.put(QUEUE_TYPE, QUEUE_TYPE_QUORUM);
            arguments.put(DELIVERY_LIMIT, queue.deliveryLimit());
        } else {
            arguments.put(MAX_PRIORITY, queue.maxPriority());
        }
        arguments.put(DEAD_LETTER_EXCHANGE, TopologyNames.DEAD_LETTER_EXCHANGE);
        arguments.put(DEAD_LETTER_ROUTING_KEY, queue.name());
        if (queue.kind() == QueueKind.QUORUM) {
            arguments.put(DEAD_LETTER_STRATEGY, DEAD_LETTER_STRATEGY_AT_LEAST_ONCE);
        }
        // reject-publish: a full queue refuses new tasks (the producer sees a nack) instead of dropping old ones,
        // and at-least-once dead-lettering requires it.
        arguments.put(OVERFLOW, OVERFLOW_REJECT_PUBLISH);
        if (queue.maxLength() != null) {
            arguments.put(MAX_LENGTH, queue.maxLength());
        }
        return arguments;
    }

    /**
     * The arguments of a work queue's quarantine: a quorum queue (whatever the work queue's kind) that dead-letters
     * into the work queue's dead-letter queue. A task comes here after one unsettled delivery, so its delivery limit
     * is one less than the work queue's: a task that crashes its worker every time is dead-lettered after as many
     * crashes as on the work queue alone, but only the first of them takes other tasks with it.
     */
    public static Map<String, Object> suspectQueueArguments(WorkQueue queue) {
        var arguments = new LinkedHashMap<String, Object>();
        arguments.put(QUEUE_TYPE, QUEUE_TYPE_QUORUM);
        arguments.put(DELIVERY_LIMIT, queue.deliveryLimit() - 1);
        arguments.put(DEAD_LETTER_EXCHANGE, TopologyNames.DEAD_LETTER_EXCHANGE);
        arguments.put(DEAD_LETTER_ROUTING_KEY, queue.name());
        arguments.put(DEAD_LETTER_STRATEGY, DEAD_LETTER_STRATEGY_AT_LEAST_ONCE);
        arguments.put(OVERFLOW, OVERFLOW_REJECT_PUBLISH);
        return arguments;
    }

    /** The queue of the given name. */
    public QueueSpec queue(String name) {
        return queues.stream()
                .filter(q -> q.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new NoSuchElementException("no queue '" + name + "' in the topology"));
    }
}
