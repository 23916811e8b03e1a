package dev.celeriac.api.queues;

import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/queues}. */
@RestController
@RequestMapping("/api/v1")
public class QueuesController {

    private final QueueStatistics statistics;

    public QueuesController(QueueStatistics statistics) {
        this.statistics = statistics;
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
