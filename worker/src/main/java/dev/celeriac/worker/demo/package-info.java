/** The demo worker: a runnable worker with the demo tasks, for trying Celeriac out and for the benchmarks. */
package dev.celeriac.worker.demo;
