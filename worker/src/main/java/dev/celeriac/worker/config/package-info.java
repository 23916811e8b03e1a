/** Configuration and Spring Boot auto-configuration of the worker. */
package dev.celeriac.worker.config;
