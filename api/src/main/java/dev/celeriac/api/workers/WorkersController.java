package dev.celeriac.api.workers;

import dev.celeriac.producer.topology.TopologyProperties;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.protocol.topology.WorkQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/workers} and {@code GET /api/v1/queues}. */
@RestController
@RequestMapping("/api/v1")
public class WorkersController {

    /** A worker counts as alive while its last heartbeat is younger than this. */
    static final Duration ALIVE = Duration.ofSeconds(10);

    /** A worker as shown: {@code alive} from its heartbeats. */
    public record WorkerView(WorkerRegistry.Worker worker, boolean alive) {}

    /** A queue as the broker reports it, with its dead letters. */
    public record QueueView(String name, long ready, int consumers, long deadLetters) {}

    private final WorkerRegistry workers;
    private final AmqpAdmin admin;
    private final TopologyProperties topology;
    private final Clock clock;

    public WorkersController(WorkerRegistry workers, AmqpAdmin admin, TopologyProperties topology, Clock clock) {
        this.workers = workers;
        this.admin = admin;
        this.topology = topology;
        this.clock = clock;
    }

    /** Live and recently seen workers. */
    @GetMapping("/workers")
    public Map<String, List<WorkerView>> workers() {
        Instant cutoff = clock.instant().minus(ALIVE);
        return Map.of(
                "workers",
                workers.all().stream()
                        .map(w -> new WorkerView(
                                w, w.online() && w.lastHeartbeat().isAfter(cutoff)))
                        .toList());
    }

    /** Every work queue: ready messages, consumers, and messages waiting in its dead-letter queue. */
    @GetMapping("/queues")
    public Map<String, List<QueueView>> queues() {
        return Map.of(
                "queues",
                topology.workQueues().stream()
                        .map(WorkQueue::name)
                        .map(name -> {
                            QueueInformation queue = admin.getQueueInfo(name);
                            QueueInformation dead = admin.getQueueInfo(TopologyNames.deadLetterQueue(name));
                            return new QueueView(
                                    name,
                                    queue == null ? 0 : queue.getMessageCount(),
                                    queue == null ? 0 : queue.getConsumerCount(),
                                    dead == null ? 0 : dead.getMessageCount());
                        })
                        .toList());
    }
}
