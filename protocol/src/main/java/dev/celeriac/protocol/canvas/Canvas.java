package dev.celeriac.protocol.canvas;

/**
 * A piece of work as Celery's canvas describes it: one task ({@link Signature}), tasks one after another, each given
 * the result of the one before ({@link Chain}), or tasks side by side ({@link Group}). Kept as Celery writes it, so
 * that a workflow passes between Python and Java unchanged.
 */
public sealed interface Canvas permits Signature, Chain, Group, Chord {}
