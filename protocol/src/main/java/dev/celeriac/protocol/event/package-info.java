/** Celery's task and worker events as records with Celery's field names, and their JSON codec. */
package dev.celeriac.protocol.event;
