/**
 * How the API works inside: the ledger, the outbox, idempotency keys, the event recorder, retention and metrics, and
 * the plumbing they share. Not API: these types change as the implementation does.
 */
package dev.celeriac.api.internal;
