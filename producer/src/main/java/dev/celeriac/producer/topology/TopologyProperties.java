package dev.celeriac.producer.topology;

import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.protocol.topology.DelayLadder;
import dev.celeriac.protocol.topology.QueueKind;
import dev.celeriac.protocol.topology.Topology;
import dev.celeriac.protocol.topology.WorkQueue;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The RabbitMQ topology every Celeriac component declares ({@code celeriac.topology.*}). All components of a
 * deployment must agree on it: RabbitMQ refuses to re-declare a queue with other arguments.
 *
 * @param queues Work queues by name, e.g. {@code celeriac.topology.queues.email.kind=priority}; when none is
 *     configured, the single quorum queue {@code default}
 * @param delayTiers TTLs of the delay ladder's tiers, through which ETA, countdown and retry delays wait in the broker
 * @param declare Whether this component declares the topology when it connects (turn off where a broker's
 *     definitions or another tool own it)
 */
@Validated
@ConfigurationProperties("celeriac.topology")
public record TopologyProperties(
        Map<String, @Valid QueueProperties> queues,

        @DefaultValue({"1s", "5s", "30s", "2m", "10m", "1h"}) @NotEmpty
        List<Duration> delayTiers,

        @DefaultValue("true") boolean declare) {

    /**
     * One work queue.
     *
     * @param kind Kind of queue: {@code quorum} (replicated, with a delivery limit: the default) or {@code priority} (a classic
     *     queue with {@code x-max-priority}, at-most-once dead-lettering)
     * @param deliveryLimit Deliveries after which a quorum queue dead-letters a message that keeps failing or
     *     crashing its worker
     * @param maxLength Most ready messages before the queue refuses new tasks (producers see a refusal), or unset for
     *     no limit
     * @param maxPriority Highest priority of a priority queue.
     */
    public record QueueProperties(
            @DefaultValue("quorum") @NotNull QueueKind kind,
            @DefaultValue("10") @Min(1) int deliveryLimit,
            @Min(1) Integer maxLength,
            @DefaultValue("9") @Min(1) @Max(9) int maxPriority) {}

    public TopologyProperties {
        queues = queues == null ? Map.of() : Map.copyOf(queues);
    }

    /** The work queues, or the single quorum queue {@code default} when none is configured. */
    public List<WorkQueue> workQueues() {
        if (queues.isEmpty()) {
            return List.of(WorkQueue.quorum(TopologyNames.DEFAULT_QUEUE));
        }
        var result = new ArrayList<WorkQueue>();
        queues.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> result.add(new WorkQueue(
                        e.getKey(),
                        e.getValue().kind(),
                        e.getValue().deliveryLimit(),
                        e.getValue().maxLength(),
                        e.getValue().maxPriority())));
        return result;
    }

    /** The delay ladder. */
    public DelayLadder ladder() {
        return DelayLadder.of(delayTiers);
    }

    /** The whole topology. */
    public Topology topology() {
        return Topology.of(workQueues(), ladder());
    }
}
