package dev.celeriac.api.queues;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.celeriac.api.internal.ledger.TaskChange;
import dev.celeriac.api.internal.ledger.TaskCompletions;
import dev.celeriac.api.internal.ledger.TaskProjection;
import dev.celeriac.api.internal.ledger.TaskStore;
import dev.celeriac.producer.amqp.BrokerConnections;
import dev.celeriac.protocol.event.EventSource;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.names.EventFields;
import dev.celeriac.protocol.names.MessageHeaders;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Empties a work queue of its ready messages, as {@code celery purge} does, without leaving a task PENDING forever:
 * the messages are taken a batch at a time, their tasks recorded REVOKED ("purged") in the ledger, and only then
 * acked. If the API stops in between, the messages return to the queue and nothing is lost. Messages a worker holds
 * (unacked) and tasks waiting in the delay queues for their ETA or a retry are not ready, and are left alone; so are
 * messages that arrive while it runs, beyond the count the queue held when the purge began.
 */
public final class QueuePurger {

    /** Messages taken, recorded and acked together. */
    private static final int BATCH = 500;

    /** The name the ledger's history gives a purge. */
    static final String PURGED = "purged";

    private final BrokerConnections broker;
    private final TaskProjection projection;
    private final TaskStore tasks;
    private final TaskCompletions completions;
    private final TransactionTemplate transactions;
    private final Clock clock;

    public QueuePurger(
            BrokerConnections broker,
            TaskProjection projection,
            TaskStore tasks,
            TaskCompletions completions,
            TransactionTemplate transactions,
            Clock clock) {
        this.broker = broker;
        this.projection = projection;
        this.tasks = tasks;
        this.completions = completions;
        this.transactions = transactions;
        this.clock = clock;
    }

    /**
     * Purges the queue.
     *
     * @return how many messages were removed
     */
    public long purge(String queue) throws IOException, TimeoutException {
        try (var connection = broker.open("celeriac-api-purge");
                Channel channel = connection.createChannel()) {
            long ready = channel.queueDeclarePassive(queue).getMessageCount();
            long purged = 0;
            while (purged < ready) {
                var batch = new ArrayList<GetResponse>();
                GetResponse message;
                while (batch.size() < Math.min(BATCH, ready - purged)
                        && (message = channel.basicGet(queue, false)) != null) {
                    batch.add(message);
                }
                if (batch.isEmpty()) {
                    break;
                }
                List<String> ids = record(batch);
                channel.basicAck(batch.getLast().getEnvelope().getDeliveryTag(), true);
                completions.finished(ids);
                purged += batch.size();
            }
            return purged;
        }
    }

    /** Records the batch's tasks REVOKED in one transaction; returns their ids. */
    private List<String> record(List<GetResponse> batch) {
        var source = new EventSource(
                "celeriac-api",
                clock.millis() / 1000.0,
                0,
                ProcessHandle.current().pid(),
                0);
        var events = new ArrayList<TaskEvent>();
        for (GetResponse message : batch) {
            Map<String, Object> headers = message.getProps().getHeaders();
            Object id = headers == null ? null : headers.get(MessageHeaders.ID);
            if (id != null) {
                events.add(new TaskEvent.Revoked(
                        source, id.toString(), false, null, false, Map.of(EventFields.REASON, PURGED)));
            }
        }
        List<List<TaskChange>> rounds = projection.fold(new ArrayList<>(events));
        transactions.executeWithoutResult(status -> rounds.forEach(tasks::write));
        return events.stream().map(TaskEvent::uuid).toList();
    }
}
