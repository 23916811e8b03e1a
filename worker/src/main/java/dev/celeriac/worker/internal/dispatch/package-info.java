/** Finds task methods, binds a message's arguments to their parameters, and invokes them. */
package dev.celeriac.worker.internal.dispatch;
