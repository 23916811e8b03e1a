/** Periodic tasks: cron, interval and one-off schedules, defined over {@code /api/v1/schedules} or in configuration. */
package dev.celeriac.api.schedules;
