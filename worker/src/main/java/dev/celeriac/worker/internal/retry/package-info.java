/** Retry policies, the classification of failures, and scheduling retries through the delay ladder. */
package dev.celeriac.worker.internal.retry;
