package dev.celeriac.protocol.canvas;

import java.util.Objects;

/**
 * A group whose body runs once, when every member of the group has finished, given the list of their results in
 * the group's order. The join is counted in Celeriac's ledger, never by a task waiting for others.
 *
 * @param id the chord's id, the group id of its header tasks
 * @param header the tasks to wait for; each member has one result (a task, or a chain ending in one)
 * @param body what runs with their results
 * @param policy what a failed header task does to the chord
 */
public record Chord(String id, Group header, Canvas body, ChordPolicy policy) implements Canvas {

    public Chord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(policy, "policy");
        if (!header.id().equals(id)) {
            throw new IllegalArgumentException("a chord's header group has the chord's id");
        }
    }
}
