package dev.celeriac.protocol.canvas;

import java.util.List;
import java.util.Objects;

/**
 * Members run side by side under one group id; each member's task message carries the group id and its index.
 *
 * @param id the group id (Celery's {@code group_id})
 * @param members the members, in submission order; a group may be empty
 */
public record Group(String id, List<Canvas> members) implements Canvas {

    public Group {
        Objects.requireNonNull(id, "id");
        members = List.copyOf(Objects.requireNonNull(members, "members"));
    }
}
