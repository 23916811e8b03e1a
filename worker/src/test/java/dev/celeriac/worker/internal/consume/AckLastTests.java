package dev.celeriac.worker.internal.consume;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.producer.PublishNackedException;
import dev.celeriac.producer.PublishTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AckLastTests {

    /** Patience long enough that no case here runs out of it unless it is meant to. */
    private final AckLast patient = new AckLast(Duration.ofMinutes(5), Duration.ofMillis(1), Duration.ofMillis(4));

    private final List<String> sent = new ArrayList<>();
    private final HeldDelivery delivery = new HeldDelivery();

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void acksOnceEveryPublishIsConfirmedInItsOrder() {
        boolean acked = patient.settle(
                "t1", "the outcome", delivery, List.of(awaited("retry"), async("reply"), awaited("event")));

        assertThat(acked).isTrue();
        assertThat(sent).containsExactly("retry", "reply", "event");
        assertThat(delivery.acks).hasValue(1);
        assertThat(delivery.requeues).hasValue(0);
    }

    @Test
    void asksAgainForARefusedPublishWithoutRepeatingTheConfirmedOnesBeforeIt() {
        boolean acked = patient.settle(
                "t1", "the outcome", delivery, List.of(awaited("dead letter"), refusedTimes("event", 3)));

        assertThat(acked).isTrue();
        assertThat(sent).containsExactly("dead letter", "event", "event", "event", "event");
        assertThat(delivery.acks).hasValue(1);
        assertThat(delivery.requeues).hasValue(0);
    }

    @Test
    void sendsNothingAfterARefusedPublishUntilItIsConfirmed() {
        boolean acked = patient.settle(
                "t1", "the outcome", delivery, List.of(refusedTimes("dead letter", 2), awaited("event")));

        assertThat(acked).isTrue();
        assertThat(sent).containsExactly("dead letter", "dead letter", "dead letter", "event");
    }

    @Test
    void startsAgainFromAStartedPublishWhoseConfirmWasRefused() {
        var refusals = new AtomicInteger(1);
        AckLast.Publish reply = () -> {
            sent.add("reply");
            return () -> {
                if (refusals.getAndDecrement() > 0) {
                    throw new PublishTimeoutException("t1", Duration.ofSeconds(1));
                }
            };
        };

        boolean acked =
                patient.settle("t1", "the outcome", delivery, List.of(awaited("retry"), reply, awaited("event")));

        assertThat(acked).isTrue();
        // The event was sent while the reply's confirm was on its way; the round after starts from the reply.
        assertThat(sent).containsExactly("retry", "reply", "event", "reply", "event");
        assertThat(delivery.acks).hasValue(1);
    }

    @Test
    void givesTheDeliveryBackOnceItsPatienceIsSpent() {
        var impatient = new AckLast(Duration.ofMillis(30), Duration.ofMillis(1), Duration.ofMillis(4));

        boolean acked =
                impatient.settle("t1", "the outcome", delivery, List.of(refusedTimes("event", Integer.MAX_VALUE)));

        assertThat(acked).isFalse();
        assertThat(delivery.requeues).hasValue(1);
        assertThat(delivery.acks).hasValue(0);
        assertThat(sent).hasSizeGreaterThan(1);
    }

    @Test
    void givesTheDeliveryBackAtOnceWhenItsChannelHasGone() {
        delivery.open = false;

        boolean acked =
                patient.settle("t1", "the outcome", delivery, List.of(refusedTimes("event", 1), awaited("never")));

        assertThat(acked).isFalse();
        assertThat(sent).containsExactly("event");
        assertThat(delivery.requeues).hasValue(1);
    }

    @Test
    void givesTheDeliveryBackWhenTheWorkerStopsAndKeepsTheInterrupt() {
        Thread.currentThread().interrupt();

        boolean acked = patient.settle("t1", "the outcome", delivery, List.of(refusedTimes("event", 1)));

        assertThat(acked).isFalse();
        assertThat(sent).containsExactly("event");
        assertThat(delivery.requeues).hasValue(1);
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
    }

    private AckLast.Publish awaited(String name) {
        return AckLast.Publish.awaited(() -> sent.add(name));
    }

    private AckLast.Publish async(String name) {
        return () -> {
            sent.add(name);
            return AckLast.Confirm.DONE;
        };
    }

    private AckLast.Publish refusedTimes(String name, int times) {
        var refusals = new AtomicInteger(times);
        return AckLast.Publish.awaited(() -> {
            sent.add(name);
            if (refusals.getAndDecrement() > 0) {
                throw new PublishNackedException("t1", "celeriac.events", null);
            }
        });
    }

    private static final class HeldDelivery implements AckLast.Held {
        final AtomicInteger acks = new AtomicInteger();
        final AtomicInteger requeues = new AtomicInteger();
        volatile boolean open = true;

        @Override
        public boolean ack() {
            acks.incrementAndGet();
            return true;
        }

        @Override
        public boolean requeue() {
            requeues.incrementAndGet();
            return true;
        }

        @Override
        public boolean isOpen() {
            return open;
        }
    }
}
