/** Consuming task messages: prefetch bounded by free slots, and the ack-last life of each delivery. */
package dev.celeriac.worker.consume;
