package dev.celeriac.api.workers;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/workers}. */
@RestController
@RequestMapping("/api/v1")
public class WorkersController {

    /** A worker as shown: {@code alive} from its heartbeats. */
    public record WorkerView(WorkerRegistry.Worker worker, boolean alive) {}

    private final WorkerRegistry workers;
    private final Clock clock;

    public WorkersController(WorkerRegistry workers, Clock clock) {
        this.workers = workers;
        this.clock = clock;
    }

    /** Live and recently seen workers. */
    @GetMapping("/workers")
    public Map<String, List<WorkerView>> workers() {
        Instant cutoff = clock.instant().minus(WorkerRegistry.ALIVE);
        return Map.of(
                "workers",
                workers.all().stream()
                        .map(w -> new WorkerView(w, WorkerRegistry.isAlive(w, cutoff)))
                        .toList());
    }
}
