/** Celery's canvas on the wire: signatures, chains and groups, and the task messages that start them. */
package dev.celeriac.protocol.canvas;
