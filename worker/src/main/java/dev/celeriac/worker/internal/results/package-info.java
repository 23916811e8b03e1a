/** Result replies to Celery clients that wait for a task ({@code rpc://} backend: {@code reply_to} and correlation id). */
package dev.celeriac.worker.internal.results;
