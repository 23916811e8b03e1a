/** How the task client publishes on RabbitMQ with confirms; not part of the public API. */
package dev.celeriac.producer.internal;
