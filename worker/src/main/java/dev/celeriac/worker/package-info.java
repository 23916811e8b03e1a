/** Defining tasks for Celeriac workers: {@link dev.celeriac.worker.CeleriacTask} and what a task may use. */
package dev.celeriac.worker;
