/** Real services for integration tests: containers when Docker is available, otherwise the machine's own. */
package dev.celeriac.testsupport;
