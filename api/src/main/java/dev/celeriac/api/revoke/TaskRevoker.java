package dev.celeriac.api.revoke;

import dev.celeriac.producer.TaskClient;
import java.time.Clock;

/**
 * Revokes a task: the revocation is stored in the ledger first, then published to the workers' revocation stream; if
 * the publish fails, or this API stops before it, the {@link RevocationAnnouncer} publishes it on its next round.
 */
public final class TaskRevoker {

    private final RevocationStore revocations;
    private final RevocationAnnouncer announcer;
    private final TaskClient client;
    private final Clock clock;

    public TaskRevoker(RevocationStore revocations, RevocationAnnouncer announcer, TaskClient client, Clock clock) {
        this.revocations = revocations;
        this.announcer = announcer;
        this.client = client;
        this.clock = clock;
    }

    /**
     * @param terminate whether a run under way is interrupted too
     */
    public void revoke(String taskId, boolean terminate) {
        revocations.record(taskId, terminate, clock.instant());
        client.revoke(taskId, terminate, announcer.holdUntil());
        revocations.announced(taskId, clock.instant());
    }
}
