/** Work queues as operators see them: ready messages, consumers, workers alive and dead letters awaiting action. */
package dev.celeriac.api.queues;
