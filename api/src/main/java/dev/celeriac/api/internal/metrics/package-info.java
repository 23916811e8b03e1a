/** The API's meters: queue depth, consumers and dead letters per queue, and how far the recorder lags. */
package dev.celeriac.api.internal.metrics;
