/** Celery message protocol v2 task messages: the records and the JSON codec that reads and writes them. */
package dev.celeriac.protocol.message;
