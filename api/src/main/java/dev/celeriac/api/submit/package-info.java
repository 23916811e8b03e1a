/** Submitting tasks over REST: validation, the ledger's PENDING record, then a confirmed publish. */
package dev.celeriac.api.submit;
