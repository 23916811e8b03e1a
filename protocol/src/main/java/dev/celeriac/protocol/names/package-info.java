/** Every wire, header, broker-argument, topology and metric name, as constants in one place. */
package dev.celeriac.protocol.names;
