/** Calls of a running API from tests. */
package dev.celeriac.testsupport.http;
