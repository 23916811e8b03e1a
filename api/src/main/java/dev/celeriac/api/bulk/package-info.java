/** Actions on every task a filter matches: revoke, terminate or run again, counted first on request. */
package dev.celeriac.api.bulk;
