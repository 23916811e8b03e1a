/** API-key authentication and role-based access: read, submit, admin. */
package dev.celeriac.api.security;
