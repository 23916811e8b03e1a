/** The bridge between protocol messages and Spring AMQP messages, shared by producer, worker and API. */
package dev.celeriac.producer.amqp;
