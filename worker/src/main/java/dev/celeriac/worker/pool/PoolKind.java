package dev.celeriac.worker.pool;

import java.util.Locale;

/** The kind of threads a queue's tasks run on. */
public enum PoolKind {
    /** Platform threads, as many as slots; for CPU-bound tasks (default slots: the number of cores). */
    PLATFORM,
    /** Virtual threads, bounded by slots; for I/O-bound tasks that mostly wait (default slots: 1,000). */
    VIRTUAL;

    /** The kind as configuration, logs, metrics and remote control write it: {@code platform}, {@code virtual}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
