/** Workers and queues as the API sees them: from worker events and from the broker. */
package dev.celeriac.api.workers;
