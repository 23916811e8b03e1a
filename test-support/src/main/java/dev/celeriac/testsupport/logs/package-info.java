/** Excerpts of the log files a test's processes wrote, for a failure that says what they saw. */
package dev.celeriac.testsupport.logs;
