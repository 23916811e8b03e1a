/** Checks of the dashboards, alert rules, scrape config, compose file and Dockerfile against what runs. */
package dev.celeriac.monitoring;
