package dev.celeriac.api.submit;

import dev.celeriac.api.internal.idempotency.IdempotencyStore;
import dev.celeriac.api.internal.ledger.TaskChange;
import dev.celeriac.api.internal.ledger.TaskRecord;
import dev.celeriac.api.internal.ledger.TaskStore;
import dev.celeriac.api.internal.outbox.OutboxStore;
import dev.celeriac.api.internal.schedule.FireStore;
import dev.celeriac.api.problems.Problems;
import dev.celeriac.producer.PublishConnectionException;
import dev.celeriac.producer.PublishTimeoutException;
import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.producer.amqp.TaskPublisher;
import dev.celeriac.protocol.names.TopologyNames;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.ErrorResponseException;

/**
 * Accepts submits in batches: the submits that arrive while one batch is being written are gathered into the next,
 * which costs one transaction (its tasks recorded PENDING, their idempotency keys claimed, their messages put in the
 * outbox) and one burst of publishes whose confirms are awaited together. A submit's answer completes only after its
 * own row is committed and its own message confirmed. A task the broker refused is removed again (row, outbox
 * message, key, schedule slot) before its submit hears so; one it confirmed leaves the outbox right after; one it did
 * not confirm in time stays for the outbox relay ({@link UnconfirmedException}). A batch never waits for
 * more submits to arrive: at low load each submit is a batch of its own.
 */
public final class SubmitPipeline implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SubmitPipeline.class);

    /** Batches whose confirms are awaited at once; while they wait, the next batch is written and published. */
    static final int IN_FLIGHT = 4;

    /** A submit already taken by the first request with the same idempotency key. */
    public static final class KeyTakenException extends RuntimeException {
        private final IdempotencyStore.Claim holder;

        KeyTakenException(IdempotencyStore.Claim holder) {
            super("Idempotency-Key '" + holder.key() + "' is held by task " + holder.taskId(), null, false, false);
            this.holder = holder;
        }

        /** The claim that holds the key. */
        public IdempotencyStore.Claim holder() {
            return holder;
        }
    }

    /**
     * A schedule's slot not fired: another submit (another API instance, or an earlier try) fired it already, or the
     * schedule was paused or removed before it could.
     */
    public static final class SlotTakenException extends RuntimeException {
        SlotTakenException(FireStore.Claim slot) {
            super(
                    "slot " + slot.slot() + " of schedule '" + slot.scheduleId()
                            + "' is fired already, or the schedule is paused or gone",
                    null,
                    false,
                    false);
        }
    }

    /**
     * A task recorded and published whose confirm did not come in time (or whose channel failed while it waited): the
     * broker may or may not have it. Nothing of it is removed: its row, its outbox message, its key and its schedule
     * slot stay, and the outbox relay publishes it again unless a worker reports it first. Its submit is told so,
     * rather than told that it was refused, which would be untrue once the broker's copy runs.
     */
    public static final class UnconfirmedException extends RuntimeException {
        /** Its problem type. */
        public static final String TYPE = "publish-unconfirmed";

        /** The problem's property that names the task. */
        public static final String TASK_ID = "taskId";

        /** When a client may ask again: by then the broker has confirmed, or the relay is publishing it again. */
        static final String RETRY_AFTER_SECONDS = "5";

        private final String taskId;

        UnconfirmedException(String taskId, TaskPublishException cause) {
            super(
                    "the broker did not confirm task " + taskId + " in time (" + cause.getMessage()
                            + "); it is recorded, and published again until the broker confirms it",
                    cause,
                    false,
                    false);
            this.taskId = taskId;
        }

        /** The task kept for the outbox relay. */
        public String taskId() {
            return taskId;
        }

        /**
         * The answer to its submit: 503 {@value #TYPE}, not the 202 of a confirmed task nor a refusal, since it is
         * kept and published again; {@value #TASK_ID} lets the client follow it, and the same Idempotency-Key finds
         * it. The problem does not carry this exception as its cause: Spring would answer with the handler of the
         * cause's own cause, a refusal.
         */
        public ErrorResponseException problem() {
            ErrorResponseException problem = Problems.problem(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    TYPE,
                    "Task not confirmed yet",
                    getMessage() + "; follow it at /api/v1/tasks/" + taskId
                            + ", and the same Idempotency-Key finds it");
            problem.getBody().setProperty(TASK_ID, taskId);
            problem.getHeaders().set(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
            return problem;
        }
    }

    /**
     * A validated submit.
     *
     * @param prepared the message to publish
     * @param pending what the ledger records
     * @param claim the idempotency key it comes with, or {@code null}
     * @param slot the schedule's slot it fires, claimed in the transaction that records it, or {@code null}
     */
    public record Submit(
            TaskPublisher.Prepared prepared, TaskChange pending, IdempotencyStore.Claim claim, FireStore.Claim slot) {

        public Submit(TaskPublisher.Prepared prepared, TaskChange pending, IdempotencyStore.Claim claim) {
            this(prepared, pending, claim, null);
        }
    }

    private record Waiting(Submit submit, CompletableFuture<TaskRecord> answer) {}

    private final TaskStore tasks;
    private final OutboxStore outbox;
    private final IdempotencyStore keys;
    private final FireStore fires;
    private final TaskPublisher publisher;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final int batchSize;
    private final BlockingQueue<Waiting> queue = new LinkedBlockingQueue<>();
    /** Tasks of this instance between their commit and the end of their batch (outbox cleared), by id. */
    private final Map<String, CompletableFuture<Void>> settling = new ConcurrentHashMap<>();

    private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
    private ExecutorService settler;
    private Thread gatherer;
    private volatile boolean running;

    public SubmitPipeline(
            TaskStore tasks,
            OutboxStore outbox,
            IdempotencyStore keys,
            FireStore fires,
            TaskPublisher publisher,
            TransactionTemplate transactions,
            Clock clock,
            int batchSize) {
        this.tasks = tasks;
        this.outbox = outbox;
        this.keys = keys;
        this.fires = fires;
        this.publisher = publisher;
        this.transactions = transactions;
        this.clock = clock;
        this.batchSize = batchSize;
    }

    /**
     * Submits a task. The answer completes with the record as stored once the task is committed and confirmed, or
     * exceptionally: {@link TaskPublishException} if the broker refused it (nothing of it is kept),
     * {@link KeyTakenException} if its idempotency key is another task's, or the database's exception.
     */
    public CompletableFuture<TaskRecord> submit(Submit submit) {
        return submitAll(List.of(submit)).getFirst();
    }

    /**
     * If this instance is publishing the task now: a future that completes once its batch is settled (its message
     * confirmed and out of the outbox, or refused and removed). A request with the same idempotency key waits on it
     * instead of reading the database over and over.
     */
    public Optional<CompletableFuture<Void>> settlingOf(String taskId) {
        return Optional.ofNullable(settling.get(taskId));
    }

    /** Submits tasks together; the answers are in their order. */
    public List<CompletableFuture<TaskRecord>> submitAll(List<Submit> submits) {
        if (!running) {
            throw new IllegalStateException("the API is not accepting tasks: it is stopping");
        }
        var answers = new ArrayList<CompletableFuture<TaskRecord>>(submits.size());
        var waiting = new ArrayList<Waiting>(submits.size());
        for (Submit submit : submits) {
            var answer = new CompletableFuture<TaskRecord>();
            answers.add(answer);
            waiting.add(new Waiting(submit, answer));
        }
        queue.addAll(waiting);
        return answers;
    }

    private void gather() {
        var batch = new ArrayList<Waiting>(batchSize);
        while (running || !queue.isEmpty()) {
            try {
                Waiting first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                inFlight.acquire();
                batch.add(first);
                queue.drainTo(batch, batchSize - 1);
                try {
                    write(batch);
                } catch (RuntimeException e) {
                    inFlight.release();
                    throw e;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                log.warn("could not record {} submitted tasks: {}", batch.size(), e.toString());
                batch.forEach(w -> w.answer().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
        // Stopped: whatever still waits is refused, never half-accepted.
        var left = new ArrayList<Waiting>();
        queue.drainTo(left);
        left.forEach(w -> w.answer().completeExceptionally(new IllegalStateException("the API is stopping")));
    }

    /** Records the batch in one transaction, publishes it, and hands its confirms to the settler. */
    private void write(List<Waiting> batch) {
        var accepted = new ArrayList<Waiting>(batch.size());
        var taken = new HashMap<Waiting, RuntimeException>();
        try {
            record(batch, accepted, taken);
        } catch (RuntimeException e) {
            settled(accepted);
            throw e;
        }
        taken.forEach((w, why) -> w.answer().completeExceptionally(why));
        publish(accepted);
    }

    /**
     * One transaction: the batch's keys and slots claimed, its tasks recorded PENDING and its messages put in the
     * outbox.
     */
    private void record(List<Waiting> batch, List<Waiting> accepted, Map<Waiting, RuntimeException> taken) {
        transactions.executeWithoutResult(status -> {
            var claims = new LinkedHashMap<String, IdempotencyStore.Claim>();
            var sameKeyLater = new HashSet<Waiting>();
            for (Waiting w : batch) {
                IdempotencyStore.Claim claim = w.submit().claim();
                if (claim != null && claims.putIfAbsent(claim.key(), claim) != null) {
                    sameKeyLater.add(w); // a second request with a key the first of the batch claims
                }
            }
            Map<String, IdempotencyStore.Claim> held = keys.claim(claims.values(), clock.instant());
            var slots = batch.stream()
                    .map(w -> w.submit().slot())
                    .filter(slot -> slot != null)
                    .toList();
            var slotsTaken = new HashSet<>(fires.claim(slots, clock.instant()));
            var changes = new ArrayList<TaskChange>(batch.size());
            var entries = new ArrayList<OutboxStore.Entry>(batch.size());
            for (Waiting w : batch) {
                IdempotencyStore.Claim claim = w.submit().claim();
                if (claim != null && held.containsKey(claim.key())) {
                    // by an earlier batch, or another instance
                    taken.put(w, new KeyTakenException(held.get(claim.key())));
                    continue;
                }
                if (sameKeyLater.contains(w)) {
                    // by the first request of this batch with it
                    taken.put(w, new KeyTakenException(claims.get(claim.key())));
                    continue;
                }
                if (slotsTaken.contains(w.submit().slot())) {
                    taken.put(w, new SlotTakenException(w.submit().slot()));
                    continue;
                }
                accepted.add(w);
                settling.put(w.submit().prepared().id(), new CompletableFuture<>());
                changes.add(w.submit().pending());
                TaskPublisher.Prepared p = w.submit().prepared();
                entries.add(new OutboxStore.Entry(
                        p.id(),
                        p.message().task(),
                        TopologyNames.TASK_EXCHANGE,
                        p.queue(),
                        0,
                        p.encoded(),
                        w.submit().pending().firstSeen()));
            }
            tasks.write(changes);
            outbox.add(entries);
        });
    }

    /** Ends the waits of {@link #settlingOf} for these submits. */
    private void settled(List<Waiting> batch) {
        for (Waiting w : batch) {
            CompletableFuture<Void> done = settling.remove(w.submit().prepared().id());
            if (done != null) {
                done.complete(null);
            }
        }
    }

    /** Publishes a recorded batch and hands its confirms to the settler. */
    private void publish(List<Waiting> accepted) {
        var sent = new ArrayList<TaskPublisher.Sent>(accepted.size());
        var failed = new LinkedHashMap<Waiting, TaskPublishException>();
        var published = new ArrayList<Waiting>(accepted.size());
        for (Waiting w : accepted) {
            try {
                sent.add(publisher.publish(w.submit().prepared()));
                published.add(w);
            } catch (TaskPublishException e) {
                failed.put(w, e);
            }
        }
        settler.execute(() -> settle(published, sent, failed));
    }

    /** Awaits a batch's confirms, answers its submits, and clears the outbox (removing what the broker refused). */
    private void settle(
            List<Waiting> published, List<TaskPublisher.Sent> sent, Map<Waiting, TaskPublishException> failed) {
        try {
            long deadline = System.nanoTime() + publisher.confirmTimeout().toNanos();
            var confirmed = new ArrayList<String>(published.size());
            var unconfirmed = new LinkedHashMap<Waiting, TaskPublishException>();
            for (int i = 0; i < published.size(); i++) {
                Waiting w = published.get(i);
                try {
                    sent.get(i).await(deadline);
                    confirmed.add(w.submit().prepared().id());
                    w.answer().complete(w.submit().pending().toRecord());
                } catch (PublishTimeoutException | PublishConnectionException e) {
                    // Sent, but not confirmed: the broker may have it.
                    unconfirmed.put(w, e);
                } catch (TaskPublishException e) {
                    failed.put(w, e);
                }
            }
            var refusedIds = failed.keySet().stream()
                    .map(w -> w.submit().prepared().id())
                    .toList();
            var refusedClaims = failed.keySet().stream()
                    .map(w -> w.submit().claim())
                    .filter(c -> c != null)
                    .toList();
            var refusedSlots = failed.keySet().stream()
                    .map(w -> w.submit().slot())
                    .filter(slot -> slot != null)
                    .toList();
            clear(confirmed, refusedIds, refusedClaims, refusedSlots);
            settled(published);
            settled(List.copyOf(failed.keySet()));
            failed.forEach((w, e) -> w.answer().completeExceptionally(e));
            unconfirmed.forEach((w, e) -> w.answer()
                    .completeExceptionally(
                            new UnconfirmedException(w.submit().prepared().id(), e)));
        } finally {
            inFlight.release();
        }
    }

    /** Longest a settler keeps trying to clear a batch from the outbox while the database is away. */
    private static final Duration CLEAR_PATIENCE = Duration.ofSeconds(30);

    private void clear(
            List<String> confirmed,
            List<String> refused,
            List<IdempotencyStore.Claim> refusedClaims,
            List<FireStore.Claim> refusedSlots) {
        long deadline = System.nanoTime() + CLEAR_PATIENCE.toNanos();
        long pause = 50;
        while (true) {
            try {
                transactions.executeWithoutResult(status -> {
                    var all = new ArrayList<String>(confirmed.size() + refused.size());
                    all.addAll(confirmed);
                    all.addAll(refused);
                    outbox.remove(all);
                    tasks.forget(refused);
                    keys.release(refusedClaims);
                    fires.release(refusedSlots);
                });
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    // Confirmed tasks left in the outbox are published once more by the relay: at least once.
                    log.error(
                            "could not clear {} confirmed and {} refused tasks from the outbox: {}",
                            confirmed.size(),
                            refused.size(),
                            e.toString());
                    return;
                }
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
                pause = Math.min(pause * 2, 2_000);
            }
        }
    }

    @Override
    public synchronized void start() {
        running = true;
        settler = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("celeriac-submit-settler").factory());
        gatherer = Thread.ofPlatform().name("celeriac-submit").start(this::gather);
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (gatherer != null) {
            try {
                gatherer.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (settler != null) {
            settler.shutdown();
            try {
                settler.awaitTermination(publisher.confirmTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Starts before the web server takes requests and stops after it has drained them (Boot's graceful shutdown and
     * web server run in the phases above this one), so that no accepted submit is cut off.
     */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }
}
