/** The RabbitMQ topology (exchanges, queues, bindings and their arguments) described once, free of any client library. */
package dev.celeriac.protocol.topology;
