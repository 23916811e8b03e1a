/** What a finished task's workflow starts next: its chain's next step, its callbacks, its error callbacks. */
package dev.celeriac.worker.internal.workflow;
