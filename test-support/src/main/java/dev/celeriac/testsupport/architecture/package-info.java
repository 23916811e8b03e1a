/** The architecture rules every Celeriac module checks with ArchUnit. */
package dev.celeriac.testsupport.architecture;
