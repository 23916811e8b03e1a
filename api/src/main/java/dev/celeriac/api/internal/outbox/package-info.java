/** The outbox: task messages the API committed to publish, kept until the broker confirmed them. */
package dev.celeriac.api.internal.outbox;
