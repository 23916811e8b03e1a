package dev.celeriac.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TaskPoolTests {

    @Test
    void aSlotClosedTwiceGivesBackOneSlot() throws Exception {
        try (var pool = new TaskPool("p", PoolKind.PLATFORM, 2)) {
            TaskPool.Slot first = pool.tryAcquire(0, TimeUnit.MILLISECONDS).orElseThrow();
            TaskPool.Slot second = pool.tryAcquire(0, TimeUnit.MILLISECONDS).orElseThrow();
            assertThat(pool.active()).isEqualTo(2);
            assertThat(pool.tryAcquire(0, TimeUnit.MILLISECONDS)).isEmpty();

            first.close();
            first.close();

            assertThat(pool.active()).isEqualTo(1);
            second.close();
            assertThat(pool.active()).isZero();
        }
    }

    @Test
    void aVirtualPoolIsBoundedBySlotsNotThreads() throws Exception {
        try (var pool = new TaskPool("v", PoolKind.VIRTUAL, 3)) {
            var slots = new ArrayList<TaskPool.Slot>();
            for (int i = 0; i < 3; i++) {
                slots.add(pool.tryAcquire(0, TimeUnit.MILLISECONDS).orElseThrow());
            }
            assertThat(pool.tryAcquire(10, TimeUnit.MILLISECONDS)).isEmpty();
            slots.getFirst().close();
            assertThat(pool.tryAcquire(0, TimeUnit.MILLISECONDS)).isPresent();
        }
    }

    /**
     * A thousand-slot virtual pool runs a thousand blocked tasks at once on virtual threads, and not one more: the
     * bound is the slots, whatever the threads cost.
     */
    @Test
    void aVirtualPoolRunsAsManyBlockedTasksAsItHasSlotsAndNoMore() throws Exception {
        int size = 1_000;
        try (var pool = new TaskPool("io", PoolKind.VIRTUAL, size)) {
            var release = new CountDownLatch(1);
            var running = new AtomicInteger();
            var peak = new AtomicInteger();
            for (int i = 0; i < size; i++) {
                TaskPool.Slot slot = pool.tryAcquire(0, TimeUnit.MILLISECONDS).orElseThrow();
                pool.execute(() -> {
                    peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    running.decrementAndGet();
                    slot.close();
                });
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> running.get() == size);
            assertThat(pool.active()).isEqualTo(size);
            assertThat(pool.tryAcquire(50, TimeUnit.MILLISECONDS))
                    .as("slot 1,001")
                    .isEmpty();

            release.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> pool.active() == 0);
            assertThat(peak.get()).isEqualTo(size);
        }
    }

    @Test
    void aGrownPoolStartsMoreAndAShrunkOneLetsItsTasksFinishButStartsNoneUntilItIsUnderItsSize() throws Exception {
        try (var pool = new TaskPool("p", PoolKind.PLATFORM, 2)) {
            TaskPool.Slot a = pool.tryAcquire(0, TimeUnit.MILLISECONDS).orElseThrow();
            TaskPool.Slot b = pool.tryAcquire(0, TimeUnit.MILLISECONDS).orElseThrow();
            pool.resize(4);
            assertThat(pool.size()).isEqualTo(4);
            TaskPool.Slot c = pool.tryAcquire(0, TimeUnit.MILLISECONDS).orElseThrow();
            TaskPool.Slot d = pool.tryAcquire(0, TimeUnit.MILLISECONDS).orElseThrow();
            assertThat(pool.tryAcquire(0, TimeUnit.MILLISECONDS)).isEmpty();

            pool.resize(1);
            assertThat(pool.active()).isEqualTo(4);
            a.close();
            b.close();
            c.close();
            assertThat(pool.active()).isEqualTo(1);
            assertThat(pool.tryAcquire(0, TimeUnit.MILLISECONDS))
                    .as("one running in a pool of one")
                    .isEmpty();
            d.close();
            assertThat(pool.tryAcquire(0, TimeUnit.MILLISECONDS)).isPresent();
            assertThatIllegalArgumentException().isThrownBy(() -> pool.resize(0));
        }
    }
}
