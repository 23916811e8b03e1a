package dev.celeriac.worker.internal.consume;

import dev.celeriac.producer.TaskPublishException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ack-last rule, written once: a delivery is acked only after every publish its outcome needs (an event, a result
 * reply, a retry, a dead letter, a move to another queue) has been confirmed by the broker.
 *
 * <p>A publish the broker refuses is started again, with growing pauses, for up to a patience while the delivery is
 * held; the ones already confirmed are not repeated. A quorum queue whose leader's node was lost refuses publishes
 * while it elects another, for a few seconds: giving the delivery back at once would bring it straight back, each
 * time spending one of the task's deliveries until its delivery limit dead-letters a task that never failed. Only
 * once the patience is spent, the delivery's channel has gone, or the worker is stopping, is the delivery given back
 * to its queue.
 */
final class AckLast {

    private static final Logger log = LoggerFactory.getLogger(AckLast.class);

    /** How long a delivery whose outcome the broker refuses is held while its publishes are asked again. */
    static final Duration PATIENCE = Duration.ofSeconds(30);

    private static final Duration FIRST_PAUSE = Duration.ofMillis(200);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(2);

    /** What the settler acks or gives back: a {@link Delivery}. */
    interface Held {
        boolean ack();

        boolean requeue();

        /** Whether acking it still means something to the broker (its channel is open, nobody settled it). */
        boolean isOpen();
    }

    /** A publish an outcome needs: started, then its confirm awaited. */
    @FunctionalInterface
    interface Publish {

        /**
         * Starts the publish.
         *
         * @return what waits for the broker's confirm
         * @throws TaskPublishException if it could not be sent
         */
        Confirm start();

        /** A publish that is sent and confirmed within {@link #start()}. */
        static Publish awaited(Runnable sendAndWait) {
            return () -> {
                sendAndWait.run();
                return Confirm.DONE;
            };
        }
    }

    /** The broker's answer to a started publish. */
    @FunctionalInterface
    interface Confirm {
        Confirm DONE = () -> {};

        /**
         * Waits for the confirm.
         *
         * @throws TaskPublishException if the broker did not take the message
         */
        void await();
    }

    private final Duration patience;
    private final Duration firstPause;
    private final Duration longestPause;

    AckLast() {
        this(PATIENCE, FIRST_PAUSE, LONGEST_PAUSE);
    }

    AckLast(Duration patience, Duration firstPause, Duration longestPause) {
        this.patience = patience;
        this.firstPause = firstPause;
        this.longestPause = longestPause;
    }

    /**
     * Publishes {@code publishes} in their order, waits for every confirm, then acks {@code delivery}. The publishes
     * of one round are started one after another, each only once the ones before it were sent, and their confirms are
     * awaited together; a round that was not wholly confirmed is followed, after a pause, by one that starts again
     * from the first publish not confirmed.
     *
     * @param id the task the delivery carries, for the log
     * @param what what is published, for the log ("the outcome", "the revocation")
     * @return whether the delivery was acked; if not, it was given back to its queue (or had been settled already)
     */
    boolean settle(String id, String what, Held delivery, List<Publish> publishes) {
        long deadline = System.nanoTime() + patience.toNanos();
        long pause = firstPause.toMillis();
        List<Publish> left = publishes;
        while (true) {
            Round round = publishRound(left);
            if (round.left().isEmpty()) {
                return delivery.ack();
            }
            left = round.left();
            if (System.nanoTime() + pause * 1_000_000 > deadline || !delivery.isOpen() || !pauseQuietly(pause)) {
                log.warn(
                        "{} of task {} could not be published; it goes back to its queue: {}",
                        what,
                        id,
                        round.refused().getMessage());
                delivery.requeue();
                return false;
            }
            log.info(
                    "{} of task {} could not be published yet; asking again: {}",
                    what,
                    id,
                    round.refused().getMessage());
            pause = Math.min(pause * 2, longestPause.toMillis());
        }
    }

    /** What a round left to publish, from the first publish that was not confirmed, and why. */
    private record Round(List<Publish> left, RuntimeException refused) {}

    private static Round publishRound(List<Publish> publishes) {
        var confirms = new ArrayList<Confirm>(publishes.size());
        RuntimeException refused = null;
        for (Publish publish : publishes) {
            try {
                confirms.add(publish.start());
            } catch (TaskPublishException | IllegalStateException e) {
                // The publishes after a refused one are not sent: an outcome's publishes go in their order.
                refused = e;
                break;
            }
        }
        int firstLeft = confirms.size();
        for (int i = confirms.size() - 1; i >= 0; i--) {
            try {
                confirms.get(i).await();
            } catch (TaskPublishException | IllegalStateException e) {
                refused = e;
                firstLeft = i;
            }
        }
        return refused == null
                ? new Round(List.of(), null)
                : new Round(publishes.subList(firstLeft, publishes.size()), refused);
    }

    /** Sleeps; {@code false} if interrupted (the worker is stopping), with the interrupt kept. */
    private static boolean pauseQuietly(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
