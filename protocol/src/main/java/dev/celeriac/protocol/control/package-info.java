/** Remote control commands in Celery's broadcast (pidbox) format, starting with revoke. */
package dev.celeriac.protocol.control;
