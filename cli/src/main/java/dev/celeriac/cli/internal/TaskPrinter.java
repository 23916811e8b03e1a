package dev.celeriac.cli.internal;

import java.io.PrintWriter;
import tools.jackson.databind.JsonNode;

/** A task for people: its fields one a line, and its history. */
public final class TaskPrinter {

    private TaskPrinter() {}

    public static void print(PrintWriter out, JsonNode task, JsonNode history) {
        var table = new Table("FIELD", "VALUE");
        table.row("id", text(task, "id"))
                .row("task", text(task, "task"))
                .row("state", text(task, "state"))
                .row("queue", text(task, "queue"))
                .row("args", Json.compact(task.path("args")))
                .row("kwargs", Json.compact(task.path("kwargs")));
        if (!task.path("result").isNull() && !task.path("result").isMissingNode()) {
            table.row("result", Json.compact(task.path("result")));
        }
        JsonNode error = task.path("error");
        if (error.isObject()) {
            table.row("error", text(error, "type") + ": " + text(error, "message"));
        }
        if (!task.path("progress").isNull() && !task.path("progress").isMissingNode()) {
            table.row("progress", Json.compact(task.path("progress")));
        }
        table.row("retries", text(task, "retries"))
                .row("worker", text(task, "worker"))
                .row("submitted", text(task, "submittedAt"))
                .row("started", text(task, "startedAt"))
                .row("finished", text(task, "finishedAt"));
        for (String field : new String[] {"eta", "expires", "revokedAt", "parentId", "rootId"}) {
            if (!text(task, field).isEmpty()) {
                table.row(field, text(task, field));
            }
        }
        table.print(out);
        if (error.isObject() && !text(error, "traceback").isEmpty()) {
            out.println();
            out.println(text(error, "traceback"));
        }
        if (history != null) {
            out.println();
            var lines = new Table("AT", "STATE", "ATTEMPT", "REPLAY", "WORKER", "DETAIL");
            for (JsonNode entry : history.path("history")) {
                lines.row(
                        text(entry, "at"),
                        text(entry, "state"),
                        text(entry, "attempt"),
                        text(entry, "replay"),
                        text(entry, "worker"),
                        text(entry, "detail"));
            }
            lines.print(out);
        }
        out.flush();
    }

    /** A field as text, empty when absent or null. */
    public static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isNull() || value.isMissingNode() ? "" : value.asString();
    }
}
