/** {@code /api/v1/workflows}: a workflow's tasks and chords, as the ledger has them. */
package dev.celeriac.api.workflows;
