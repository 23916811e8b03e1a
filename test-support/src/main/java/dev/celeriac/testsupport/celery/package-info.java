/** A real Python Celery 5 for interoperability tests: the interpreter, the documented configuration, processes. */
package dev.celeriac.testsupport.celery;
