/** The benchmark harness: its command line and the order in which it runs the scenarios. */
package dev.celeriac.bench;
