package dev.celeriac.protocol.message;

import java.util.Objects;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The body of a protocol v2 task message: {@code [args, kwargs, embed]}. The JSON nodes are owned by the message and
 * must not be modified once it is built.
 *
 * @param args positional arguments
 * @param kwargs keyword arguments
 * @param embed workflow signatures
 */
public record TaskBody(ArrayNode args, ObjectNode kwargs, Embed embed) {

    public TaskBody {
        args = args == null ? JsonNodeFactory.instance.arrayNode() : args;
        kwargs = kwargs == null ? JsonNodeFactory.instance.objectNode() : kwargs;
        embed = Objects.requireNonNullElse(embed, Embed.NONE);
    }
}
