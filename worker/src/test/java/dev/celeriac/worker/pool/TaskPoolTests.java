package dev.celeriac.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
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
}
