/** Rate limits per task type, in Celery's syntax and meaning: a limited task waits in the broker, never in a slot. */
package dev.celeriac.worker.ratelimit;
