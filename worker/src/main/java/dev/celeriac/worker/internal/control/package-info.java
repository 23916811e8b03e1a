/** Remote control of workers: revocations, which every worker honours, also those that start later. */
package dev.celeriac.worker.internal.control;
