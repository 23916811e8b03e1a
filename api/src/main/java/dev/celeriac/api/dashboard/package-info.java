/** The web dashboard, served by the API from its jar. */
package dev.celeriac.api.dashboard;
