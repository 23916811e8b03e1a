/** Celery message protocol v2 as spoken by every Celeriac component: messages, states, events and names. */
package dev.celeriac.protocol;
