package dev.celeriac.api.query;

import java.time.Duration;

/**
 * How the task queries behave, from {@code celeriac.api.*}.
 *
 * @param waitRecheck how often a {@code ?wait} request reads the ledger again when no end was signalled to this API
 *     instance (another instance may have recorded it)
 */
public record QuerySettings(Duration waitRecheck) {}
