/** Celery task and worker events, published confirmed to {@code celeryev}. */
package dev.celeriac.worker.internal.events;
