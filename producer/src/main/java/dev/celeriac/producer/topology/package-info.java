/** Declares the Celeriac topology on RabbitMQ through Spring AMQP, from the protocol's single description. */
package dev.celeriac.producer.topology;
