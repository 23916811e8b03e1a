/** Configuration of the API: its properties and the wiring of ledger and recorder. */
package dev.celeriac.api.config;
