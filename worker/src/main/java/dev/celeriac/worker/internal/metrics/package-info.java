/** Micrometer meters of what the worker does, named by the protocol's metric constants. */
package dev.celeriac.worker.internal.metrics;
