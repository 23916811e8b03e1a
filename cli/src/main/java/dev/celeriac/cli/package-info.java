/** The {@code celeriac} command line for operators, on the REST API. */
package dev.celeriac.cli;
