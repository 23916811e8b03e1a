/** The Celeriac REST API: submit tasks, ask what happened to them, from an authoritative ledger. */
package dev.celeriac.api;
