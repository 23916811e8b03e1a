/** Retention: what the ledger's database keeps and for how long; finished tasks, their keys and revocations expire. */
package dev.celeriac.api.internal.retention;
