/** Revoking tasks over REST: stored in the ledger, then published to every worker, running or not yet. */
package dev.celeriac.api.revoke;
