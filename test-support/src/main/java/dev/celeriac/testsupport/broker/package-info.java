/** A real RabbitMQ for integration tests, with a virtual host of its own per test class. */
package dev.celeriac.testsupport.broker;
