package dev.celeriac.protocol.canvas;

import java.util.List;
import java.util.Objects;

/**
 * Steps run one after another: each step gets the result of the step before as its first argument (unless it is
 * immutable), and a step that fails stops the chain.
 *
 * @param steps the steps, first to run first; at least one
 */
public record Chain(List<Canvas> steps) implements Canvas {

    public Chain {
        steps = List.copyOf(Objects.requireNonNull(steps, "steps"));
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a chain needs at least one step");
        }
    }
}
