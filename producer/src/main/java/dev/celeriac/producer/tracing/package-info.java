/** Traces of tasks: the W3C trace context in task message headers, and the spans of publishing and running a task. */
package dev.celeriac.producer.tracing;
