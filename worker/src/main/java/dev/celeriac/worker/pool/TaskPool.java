package dev.celeriac.worker.pool;

import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded pool: at most {@code slots} tasks run at once. Slots are counted apart from threads, so that a task
 * abandoned at its hard time limit frees its slot at once while its thread winds down on its own. The number of slots
 * can change while the pool runs ({@code pool_grow}, {@code pool_shrink}, autoscaling): a pool shrunk below the tasks
 * it runs lets them finish and starts no more until it is under its new size.
 */
public final class TaskPool implements AutoCloseable {

    private final String name;
    private final PoolKind kind;
    private volatile int slots;
    private final Slots free;
    private final ExecutorService executor;
    private final AtomicInteger abandoned = new AtomicInteger();

    public TaskPool(String name, PoolKind kind, int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("a pool needs at least one slot, was " + slots);
        }
        this.name = name;
        this.kind = kind;
        this.slots = slots;
        this.free = new Slots(slots);
        this.executor = switch (kind) {
            case VIRTUAL ->
                Executors.newThreadPerTaskExecutor(
                        Thread.ofVirtual().name("celeriac-" + name + "-", 0).factory());
            case PLATFORM ->
                new ThreadPoolExecutor(
                        0,
                        Integer.MAX_VALUE,
                        60,
                        TimeUnit.SECONDS,
                        new SynchronousQueue<>(),
                        Thread.ofPlatform().name("celeriac-" + name + "-", 0).factory());
        };
    }

    /**
     * Waits up to the given time for a free slot.
     *
     * @return the slot, held until it is closed; empty if none came free in time
     */
    public Optional<Slot> tryAcquire(long timeout, TimeUnit unit) throws InterruptedException {
        return free.tryAcquire(timeout, unit) ? Optional.of(new Slot()) : Optional.empty();
    }

    /** One slot of the pool, held by one task: closing it gives it back, once however often it is closed. */
    public final class Slot implements AutoCloseable {
        private final AtomicBoolean held = new AtomicBoolean(true);

        private Slot() {}

        /** Gives the slot back to its pool; a second close does nothing. */
        @Override
        public void close() {
            if (held.compareAndSet(true, false)) {
                free.release();
            }
        }
    }

    /**
     * Changes the number of slots.
     *
     * @throws IllegalArgumentException if {@code size} is less than one
     */
    public synchronized void resize(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a pool needs at least one slot, was " + size);
        }
        int change = size - slots;
        if (change > 0) {
            free.release(change);
        } else if (change < 0) {
            free.reducePermits(-change);
        }
        slots = size;
    }

    /** Runs a task on the pool's threads; the caller holds a slot for it. */
    public void execute(Runnable task) {
        executor.execute(task);
    }

    /** Counts a thread that still runs a task whose slot was freed at its hard time limit. */
    public int abandon() {
        return abandoned.incrementAndGet();
    }

    /** Counts an abandoned thread that has finished after all. */
    public void abandonedFinished() {
        abandoned.decrementAndGet();
    }

    /** Threads still running abandoned tasks. */
    public int abandoned() {
        return abandoned.get();
    }

    /** Slots in use. */
    public int active() {
        return slots - free.availablePermits();
    }

    /** All slots. */
    public int size() {
        return slots;
    }

    public PoolKind kind() {
        return kind;
    }

    public String name() {
        return name;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** The free slots: a semaphore whose permits can also be taken away, below zero while too many tasks run. */
    private static final class Slots extends Semaphore {
        Slots(int permits) {
            super(permits);
        }

        @Override
        public void reducePermits(int reduction) {
            super.reducePermits(reduction);
        }
    }
}
