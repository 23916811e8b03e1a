package dev.celeriac.cli.commands;

import picocli.CommandLine.Option;
import tools.jackson.databind.node.ObjectNode;

/** The filter of a task list or a bulk action, as the API's task list reads it. */
public final class TaskFilterOptions {

    @Option(
            names = "--state",
            paramLabel = "STATE",
            description = "PENDING, RECEIVED, STARTED, RETRY, SUCCESS, FAILURE or REVOKED.")
    String state;

    @Option(names = "--task", paramLabel = "NAME", description = "The task's name.")
    String task;

    @Option(names = "--queue", paramLabel = "QUEUE", description = "The work queue.")
    String queue;

    @Option(
            names = "--search",
            paramLabel = "TEXT",
            description = "Text in the arguments or keyword arguments (3 to 200 characters).")
    String search;

    @Option(names = "--since", paramLabel = "INSTANT", description = "Submitted at or after (ISO-8601).")
    String since;

    @Option(names = "--until", paramLabel = "INSTANT", description = "Submitted before (ISO-8601).")
    String until;

    /** The filter as query parameters, each starting with {@code &}. */
    String query() {
        return ApiPaths.param("state", state)
                + ApiPaths.param("task", task)
                + ApiPaths.param("queue", queue)
                + ApiPaths.param("search", search)
                + ApiPaths.param("since", since)
                + ApiPaths.param("until", until);
    }

    /** The filter as the fields of a bulk action's body. */
    void into(ObjectNode body) {
        putIf(body, "state", state);
        putIf(body, "task", task);
        putIf(body, "queue", queue);
        putIf(body, "search", search);
        putIf(body, "since", since);
        putIf(body, "until", until);
    }

    private static void putIf(ObjectNode body, String name, String value) {
        if (value != null) {
            body.put(name, value);
        }
    }
}
