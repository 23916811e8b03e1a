/** Dead letters: kept durably in the ledger database, listed, replayed into their queue or discarded. */
package dev.celeriac.api.deadletters;
