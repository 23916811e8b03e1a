package dev.celeriac.api.deadletters;

import dev.celeriac.api.ledger.TaskLedger;
import dev.celeriac.api.problems.Problems;
import dev.celeriac.api.query.TaskView;
import dev.celeriac.producer.amqp.AmqpTaskMessages;
import dev.celeriac.producer.amqp.ConfirmedPublisher;
import dev.celeriac.protocol.message.MalformedMessageException;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.message.TaskMessageCodec;
import dev.celeriac.protocol.names.MessageHeaders;
import dev.celeriac.protocol.names.TopologyNames;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
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
    private final TaskLedger ledger;
    private final ConfirmedPublisher publisher;
    private final TaskMessageCodec codec;
    private final JsonMapper json;

    public DeadLetterController(
            DeadLetterStore store,
            TaskLedger ledger,
            ConfirmedPublisher publisher,
            TaskMessageCodec codec,
            JsonMapper json) {
        this.store = store;
        this.ledger = ledger;
        this.publisher = publisher;
        this.codec = codec;
        this.json = json;
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

    /** Puts a dead letter back on its queue with its retries reset. */
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
        var extra = new LinkedHashMap<String, Object>(original.headers().extra());
        extra.keySet().removeIf(name -> name.startsWith("x-"));
        extra.put(MessageHeaders.REPLAY, stored.letter().replay() + 1);
        TaskMessage replay = new TaskMessage(
                original.properties(),
                original.headers().toBuilder().retries(0).eta(null).extra(extra).build(),
                original.body());
        String queue = stored.letter().queue();
        publisher.sendAndWait(
                replay.id(),
                TopologyNames.TASK_EXCHANGE,
                queue,
                queue,
                AmqpTaskMessages.toMessage(codec.encode(replay)),
                Duration.ofSeconds(10));
        ledger.replayed(replay.id(), replay.task(), queue, id);
        store.remove(id);
        return ResponseEntity.accepted()
                .body(TaskView.of(ledger.find(replay.id()).orElseThrow(), json));
    }

    /** Discards a dead letter for good. */
    @DeleteMapping("/{id}")
    public ResponseEntity<Void> discard(@PathVariable long id) {
        if (!store.remove(id)) {
            throw notFound(id);
        }
        return ResponseEntity.noContent().build();
    }

    private static org.springframework.web.ErrorResponseException notFound(long id) {
        return Problems.problem(
                HttpStatus.NOT_FOUND,
                "dead-letter-not-found",
                "Dead letter not found",
                "no dead letter has the id " + id);
    }
}
