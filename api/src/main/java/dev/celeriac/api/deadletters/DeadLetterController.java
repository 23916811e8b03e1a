package dev.celeriac.api.deadletters;

import dev.celeriac.api.internal.ledger.TaskChange;
import dev.celeriac.api.internal.ledger.TaskProjection;
import dev.celeriac.api.internal.ledger.TaskStore;
import dev.celeriac.api.internal.outbox.OutboxStore;
import dev.celeriac.api.problems.Problems;
import dev.celeriac.api.query.TaskView;
import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.producer.amqp.TaskPublisher;
import dev.celeriac.protocol.message.EncodedMessage;
import dev.celeriac.protocol.message.MalformedMessageException;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.message.TaskMessageCodec;
import dev.celeriac.protocol.names.MessageHeaders;
import dev.celeriac.protocol.names.TopologyNames;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /api/v1/dead-letters}: list dead letters with why they failed, replay one into its queue (retries reset;
 * the task's history shows it), or discard one.
 */
@RestController
@RequestMapping("/api/v1/dead-letters")
public class DeadLetterController {

    private final DeadLetterStore store;
    private final TaskStore tasks;
    private final OutboxStore outbox;
    private final TaskPublisher publisher;
    private final TransactionTemplate transactions;
    private final TaskMessageCodec codec;
    private final JsonMapper json;
    private final Clock clock;

    public DeadLetterController(
            DeadLetterStore store,
            TaskStore tasks,
            OutboxStore outbox,
            TaskPublisher publisher,
            TransactionTemplate transactions,
            TaskMessageCodec codec,
            JsonMapper json,
            Clock clock) {
        this.store = store;
        this.tasks = tasks;
        this.outbox = outbox;
        this.publisher = publisher;
        this.transactions = transactions;
        this.codec = codec;
        this.json = json;
        this.clock = clock;
    }

    /** Dead letters of a queue (or all), oldest first. */
    @GetMapping
    public Map<String, List<DeadLetter>> list(
            @RequestParam(required = false) String queue, @RequestParam(defaultValue = "100") int limit) {
        if (limit < 1 || limit > 1000) {
            throw Problems.badRequest("limit must be 1 to 1000, was " + limit);
        }
        return Map.of("deadLetters", store.list(queue, limit));
    }

    /**
     * Puts a dead letter back on its queue with its retries reset, as a new run of its task. The ledger's reset, the
     * letter's removal and the message (into the outbox) are committed together before the publish, so the replayed
     * run's events always come after the reset, and a replay the API could not finish is published by the relay.
     */
    @PostMapping("/{id}/replay")
    public ResponseEntity<TaskView> replay(@PathVariable long id) {
        DeadLetterStore.Stored stored = store.find(id).orElseThrow(() -> notFound(id));
        TaskMessage original;
        try {
            original = codec.decode(stored.properties(), stored.headers(), stored.body());
        } catch (MalformedMessageException e) {
            throw Problems.invalid(
                    "dead letter " + id + " is not a valid task message and cannot be replayed: " + e.getMessage());
        }
        // A new run outranks every earlier one, including a replay that was refused after its reset.
        int run = Math.max(
                        tasks.replayOf(original.id()).orElse(0), stored.letter().replay())
                + 1;
        var extra = new LinkedHashMap<String, Object>(original.headers().extra());
        extra.keySet().removeIf(name -> name.startsWith("x-"));
        extra.put(MessageHeaders.REPLAY, run);
        TaskMessage replay = new TaskMessage(
                original.properties(),
                original.headers().toBuilder().retries(0).eta(null).extra(extra).build(),
                original.body());
        String queue = stored.letter().queue();
        EncodedMessage encoded = codec.encode(replay);
        Instant now = clock.instant();
        var description = new TaskChange.Description(replay.task(), queue, null, null, null, null, null, null);
        boolean taken = Boolean.TRUE.equals(transactions.execute(status -> {
            if (!store.remove(id)) {
                return false; // replayed (or discarded) by another request just now
            }
            tasks.write(List.of(TaskProjection.replayed(replay.id(), run, description, id, now)));
            outbox.add(List.of(new OutboxStore.Entry(
                    replay.id(), replay.task(), TopologyNames.TASK_EXCHANGE, queue, run, encoded, now)));
            return true;
        }));
        if (!taken) {
            throw notFound(id);
        }
        try {
            publisher
                    .publish(replay.id(), replay.task(), null, queue, encoded)
                    .await(System.nanoTime() + publisher.confirmTimeout().toNanos());
        } catch (TaskPublishException e) {
            transactions.executeWithoutResult(status -> {
                outbox.remove(List.of(replay.id()));
                store.restore(stored);
                tasks.write(List.of(TaskProjection.abandoned(
                        replay.id(),
                        run,
                        "ReplayRefused",
                        "the replay of dead letter " + id + " was not accepted by the broker: " + e.getMessage(),
                        clock.instant())));
            });
            throw e;
        }
        outbox.remove(List.of(replay.id()));
        return ResponseEntity.accepted()
                .body(TaskView.of(tasks.find(replay.id()).orElseThrow(), json));
    }

    /** Discards a dead letter for good. */
    @DeleteMapping("/{id}")
    public ResponseEntity<Void> discard(@PathVariable long id) {
        if (!store.remove(id)) {
            throw notFound(id);
        }
        return ResponseEntity.noContent().build();
    }

    private static ErrorResponseException notFound(long id) {
        return Problems.problem(
                HttpStatus.NOT_FOUND,
                "dead-letter-not-found",
                "Dead letter not found",
                "no dead letter has the id " + id);
    }
}
