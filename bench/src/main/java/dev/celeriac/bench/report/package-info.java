/** Figures measured, with their targets, shown as a table, JSON and an HTML page with charts. */
package dev.celeriac.bench.report;
