/** What every command shares: the API's address and key, HTTP calls, exit codes, tables and JSON. */
package dev.celeriac.cli.internal;
