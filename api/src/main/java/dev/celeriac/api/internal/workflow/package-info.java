/** The ledger's side of workflows: chords defined, their joins counted, their bodies started once. */
package dev.celeriac.api.internal.workflow;
