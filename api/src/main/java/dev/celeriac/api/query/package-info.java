/** Reading tasks over REST from the ledger, with long-polling until a task finishes. */
package dev.celeriac.api.query;
