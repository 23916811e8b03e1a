/** Idempotency keys of submits: the same key with the same request is the same task, accepted once. */
package dev.celeriac.api.internal.idempotency;
