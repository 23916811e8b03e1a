/** The event recorder: reads the durable event queue in batches into the ledger, acking only after commit. */
package dev.celeriac.api.internal.recorder;
