/** The Java client that enqueues tasks: {@link dev.celeriac.producer.TaskClient} and what it takes and returns. */
package dev.celeriac.producer;
