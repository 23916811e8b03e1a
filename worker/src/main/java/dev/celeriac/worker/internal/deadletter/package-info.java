/** Dead-lettering: the failed message, unchanged, with headers that say why, in its queue's dead-letter queue. */
package dev.celeriac.worker.internal.deadletter;
