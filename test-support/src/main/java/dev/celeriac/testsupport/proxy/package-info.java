/** A TCP proxy that injects network faults (latency, cut connections, refused connections) between two components. */
package dev.celeriac.testsupport.proxy;
