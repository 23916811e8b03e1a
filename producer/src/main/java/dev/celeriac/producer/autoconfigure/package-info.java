/** Spring Boot auto-configuration of the task client and the topology declaration. */
package dev.celeriac.producer.autoconfigure;
