/** The last hour at a glance: tasks by state and by minute, queues and workers, for the dashboard. */
package dev.celeriac.api.overview;
