/** Celery's result messages: what a worker sends to a client that waits for a task's outcome ({@code rpc://}). */
package dev.celeriac.protocol.result;
