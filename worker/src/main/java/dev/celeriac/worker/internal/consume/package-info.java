/** Consuming task messages: prefetch bounded by free slots, and each delivery's gate, run and ack-last settle. */
package dev.celeriac.worker.internal.consume;
