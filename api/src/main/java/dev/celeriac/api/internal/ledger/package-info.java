/** The task ledger: the authoritative, idempotent record of every task's state, result and history. */
package dev.celeriac.api.internal.ledger;
