package dev.celeriac.api.queues;

import dev.celeriac.api.problems.Problems;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/queues}, and {@code DELETE /api/v1/queues/{name}/messages} to purge one (admin). */
@RestController
@RequestMapping("/api/v1")
public class QueuesController {

    private final QueueStatistics statistics;
    private final QueuePurger purger;

    public QueuesController(QueueStatistics statistics, QueuePurger purger) {
        this.statistics = statistics;
        this.purger = purger;
    }

    /** What a purge removed. */
    public record Purged(String queue, long purged) {}

    /**
     * Removes a work queue's ready messages, their tasks recorded REVOKED ("purged") before each batch is acked.
     * Tasks a worker holds, or waiting in the delay queues, stay.
     */
    @DeleteMapping("/queues/{name}/messages")
    public Purged purge(@PathVariable String name) throws TimeoutException {
        if (!statistics.workQueues().contains(name)) {
            throw Problems.problem(
                    HttpStatus.NOT_FOUND,
                    "queue-not-found",
                    "Queue not found",
                    "'" + name + "' is not a work queue; they are " + statistics.workQueues());
        }
        try {
            return new Purged(name, purger.purge(name));
        } catch (IOException e) {
            throw Problems.problem(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "broker-unavailable",
                    "Broker unavailable",
                    "the queue could not be purged: " + e.getMessage());
        }
    }

    /**
     * Every work queue: ready messages, consumers, workers alive that consume it, and dead letters awaiting replay or
     * discard.
     */
    @GetMapping("/queues")
    public Map<String, List<QueueStatistics.QueueView>> queues() {
        return Map.of("queues", statistics.read().queues());
    }
}
