/** Start, heartbeats, graceful shutdown and self-recycling of a worker. */
package dev.celeriac.worker.lifecycle;
