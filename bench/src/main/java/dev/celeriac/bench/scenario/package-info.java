/** The benchmark scenarios, one class each. */
package dev.celeriac.bench.scenario;
