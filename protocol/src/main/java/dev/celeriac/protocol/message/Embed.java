package dev.celeriac.protocol.message;

import tools.jackson.databind.JsonNode;

/**
 * The third element of a protocol v2 body: the workflow this task is part of. Signatures are kept as the JSON that
 * Celery wrote, so that a message passes through Celeriac unchanged.
 *
 * @param callbacks signatures to call with the result on success (a JSON array), or {@code null}
 * @param errbacks signatures to call on failure (a JSON array), or {@code null}
 * @param chain the rest of a chain, last task first (a JSON array), or {@code null}
 * @param chord the chord body to call when this task's group completes (a JSON object), or {@code null}
 */
public record Embed(JsonNode callbacks, JsonNode errbacks, JsonNode chain, JsonNode chord) {

    /** No workflow. */
    public static final Embed NONE = new Embed(null, null, null, null);

    public Embed {
        callbacks = nullIfJsonNull(callbacks);
        errbacks = nullIfJsonNull(errbacks);
        chain = nullIfJsonNull(chain);
        chord = nullIfJsonNull(chord);
    }

    private static JsonNode nullIfJsonNull(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node;
    }
}
