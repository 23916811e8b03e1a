/** A real PostgreSQL for integration tests, with a database of its own per test class. */
package dev.celeriac.testsupport.database;
