package dev.celeriac.worker.internal.consume;

import java.util.Locale;

/** Why a task is dropped without running (again). */
enum Revocation {
    /** Its id is revoked. */
    REVOKED,
    /** It passed its {@code expires} time. */
    EXPIRED,
    /** It was interrupted while running by a revoke with terminate. */
    TERMINATED;

    /** The reason a result reply gives (Celery's {@code revoked}, {@code expired}, {@code terminated}). */
    String reply() {
        return name().toLowerCase(Locale.ROOT);
    }
}
