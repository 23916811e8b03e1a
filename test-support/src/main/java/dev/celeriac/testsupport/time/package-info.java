/** Time a test controls. */
package dev.celeriac.testsupport.time;
