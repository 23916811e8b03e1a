/** The API's own plumbing, shared by its capabilities and not part of what users configure or call. */
package dev.celeriac.api.internal;
