package dev.celeriac.protocol.event;

import java.util.List;

/**
 * What a Celeriac worker reports about itself in its worker events, beyond Celery's fields. Celery monitors ignore
 * these fields; the Celeriac API shows them.
 *
 * @param queues queues the worker consumes
 * @param pool pool kind, {@code platform} or {@code virtual}
 * @param poolSize slots of the pool, over all queues
 * @param registered task names the worker can run
 */
public record WorkerInfo(List<String> queues, String pool, int poolSize, List<String> registered) {

    public WorkerInfo {
        queues = List.copyOf(queues);
        registered = List.copyOf(registered);
    }
}
