/**
 * How the worker runs tasks: consuming, admission, execution, settling, remote control, events and metrics. Not API:
 * these types change as the implementation does; applications use the root package, {@code config}, {@code pool},
 * {@code ratelimit} and {@code lifecycle}.
 */
package dev.celeriac.worker.internal;
