package dev.celeriac.api.submit;

/**
 * What a submit accepts, from {@code celeriac.api.*}.
 *
 * @param allowUnknownTasks whether tasks whose name no worker ever registered are accepted
 */
public record SubmitSettings(boolean allowUnknownTasks) {}
