/** Bounded pools that run tasks: platform threads for CPU-bound work, virtual threads for I/O-bound work. */
package dev.celeriac.worker.pool;
