package dev.celeriac.cli.commands;

import static dev.celeriac.cli.commands.ApiPaths.segment;

import dev.celeriac.cli.internal.ApiClient;
import dev.celeriac.cli.internal.ApiCommand;
import dev.celeriac.cli.internal.Confirmation;
import dev.celeriac.cli.internal.ExitCodes;
import dev.celeriac.cli.internal.Json;
import dev.celeriac.cli.internal.Table;
import dev.celeriac.cli.internal.TaskPrinter;
import dev.celeriac.cli.internal.TaskWaiter;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code celeriac tasks …}: the ledger's tasks. */
@Command(
        name = "tasks",
        description = "List, show, wait for, revoke and run again tasks; act on every task a filter matches.",
        subcommands = {
            TasksCommand.ListTasks.class,
            TasksCommand.Show.class,
            TasksCommand.Wait.class,
            TasksCommand.Revoke.class,
            TasksCommand.Retry.class,
            TasksCommand.Bulk.class
        })
public final class TasksCommand {

    @Command(name = "list", description = "Tasks, newest first, filtered; --cursor continues a page.")
    public static final class ListTasks extends ApiCommand {

        @ArgGroup(exclusive = false)
        TaskFilterOptions filter = new TaskFilterOptions();

        @Option(
                names = "--limit",
                paramLabel = "N",
                defaultValue = "50",
                description = "Tasks per page, 1 to 500 (50).")
        int limit;

        @Option(names = "--cursor", paramLabel = "CURSOR", description = "Where the previous page ended.")
        String cursor;

        @Override
        protected int run(ApiClient api) {
            JsonNode page = api.get("/api/v1/tasks?limit=" + limit + filter.query() + ApiPaths.param("cursor", cursor));
            output.print(out(), page, () -> {
                var table = new Table("ID", "TASK", "STATE", "QUEUE", "SUBMITTED", "ARGS");
                for (JsonNode task : page.path("tasks")) {
                    table.row(
                            TaskPrinter.text(task, "id"),
                            TaskPrinter.text(task, "task"),
                            TaskPrinter.text(task, "state"),
                            TaskPrinter.text(task, "queue"),
                            TaskPrinter.text(task, "submittedAt"),
                            Json.compact(task.path("args")) + " " + Json.compact(task.path("kwargs")));
                }
                table.print(out());
                String next = TaskPrinter.text(page, "nextCursor");
                if (!next.isEmpty()) {
                    err().println("more: --cursor " + next);
                    err().flush();
                }
            });
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", description = "A task: arguments, result or error with traceback, and its history.")
    public static final class Show extends ApiCommand {

        @Parameters(paramLabel = "ID", description = "The task's id.")
        String id;

        @Override
        protected int run(ApiClient api) {
            JsonNode task = api.get("/api/v1/tasks/" + segment(id));
            if (output.json()) {
                output.print(out(), task, () -> {});
                return ExitCodes.OK;
            }
            TaskPrinter.print(out(), task, api.get("/api/v1/tasks/" + segment(id) + "/history"));
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "wait",
            description = "Wait for a task to finish and print its result. Exit 1 if it failed or was revoked, 7 if it"
                    + " had not finished in time.")
    public static final class Wait extends ApiCommand {

        @Parameters(paramLabel = "ID", description = "The task's id.")
        String id;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60", description = "Longest wait (60).")
        int timeout;

        @Override
        protected int run(ApiClient api) {
            JsonNode task = TaskWaiter.await(api, segment(id), Duration.ofSeconds(timeout));
            output.print(out(), task, () -> {
                if ("SUCCESS".equals(TaskPrinter.text(task, "state"))) {
                    out().println(Json.compact(task.path("result")));
                } else {
                    err().println("task " + id + " is " + TaskPrinter.text(task, "state"));
                }
            });
            out().flush();
            err().flush();
            return TaskWaiter.exitCode(task);
        }
    }

    @Command(
            name = "revoke",
            description = "Revoke a task that has not finished; --terminate interrupts it if it runs.")
    public static final class Revoke extends ApiCommand {

        @Parameters(paramLabel = "ID", description = "The task's id.")
        String id;

        @Option(names = "--terminate", description = "Interrupt the task if a worker runs it now.")
        boolean terminate;

        @Override
        protected int run(ApiClient api) {
            JsonNode task = api.delete("/api/v1/tasks/" + segment(id) + "?terminate=" + terminate);
            output.print(out(), task, () -> out().println("revoked " + id));
            out().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "retry", description = "Run a finished task again, with the same arguments, as a new task.")
    public static final class Retry extends ApiCommand {

        @Parameters(paramLabel = "ID", description = "The finished task's id.")
        String id;

        @Option(
                names = "--wait",
                arity = "0..1",
                fallbackValue = "60",
                paramLabel = "SECONDS",
                description = "Wait for the new task's result.")
        Integer wait;

        @Override
        protected int run(ApiClient api) {
            JsonNode again = api.post("/api/v1/tasks/" + segment(id) + "/retry", null);
            String newId = again.path("id").asString();
            if (wait == null) {
                output.print(out(), again, () -> out().println(newId));
                out().flush();
                return ExitCodes.OK;
            }
            JsonNode done = TaskWaiter.await(api, segment(newId), Duration.ofSeconds(wait));
            output.print(
                    out(),
                    done,
                    () -> out().println(newId + " " + TaskPrinter.text(done, "state") + " "
                            + Json.compact(done.path("result"))));
            out().flush();
            return TaskWaiter.exitCode(done);
        }
    }

    @Command(
            name = "bulk",
            description = {
                "Revoke, terminate or run again every task a filter matches (the newest 1,000 at most).",
                "Shows how many first and asks, unless --yes; --dry-run only counts."
            })
    public static final class Bulk extends ApiCommand {

        @Parameters(paramLabel = "ACTION", description = "revoke, terminate or retry.")
        String action;

        @ArgGroup(exclusive = false)
        TaskFilterOptions filter = new TaskFilterOptions();

        @Option(names = "--limit", paramLabel = "N", description = "Most tasks to act on, 1 to 1000 (1000).")
        Integer limit;

        @Option(names = "--dry-run", description = "Count only.")
        boolean dryRun;

        @Option(
                names = {"-y", "--yes"},
                description = "Do not ask.")
        boolean yes;

        @Override
        protected int run(ApiClient api) {
            ObjectNode body = Json.MAPPER.createObjectNode().put("action", action.toLowerCase(Locale.ROOT));
            filter.into(body);
            if (limit != null) {
                body.put("limit", limit);
            }
            body.put("dryRun", true);
            JsonNode count = api.post("/api/v1/tasks/bulk", body);
            String summary =
                    count.path("matched").asInt() + (count.path("more").asBoolean() ? "+" : "") + " tasks match; "
                            + action + " applies to " + count.path("applicable").asInt();
            if (dryRun || count.path("applicable").asInt() == 0) {
                output.print(out(), count, () -> out().println(summary));
                out().flush();
                return ExitCodes.OK;
            }
            if (!yes && !Confirmation.ask(err(), summary + ". Go ahead?")) {
                err().println("nothing done");
                err().flush();
                return ExitCodes.REFUSED;
            }
            body.put("dryRun", false);
            JsonNode done = api.post("/api/v1/tasks/bulk", body);
            output.print(out(), done, () -> {
                var table = new Table("TASK", "NEW TASK");
                done.path("done")
                        .forEach(d -> table.row(TaskPrinter.text(d, "taskId"), TaskPrinter.text(d, "newTaskId")));
                table.print(out());
                done.path("refused")
                        .forEach(r -> err().println("refused " + TaskPrinter.text(r, "taskId") + ": "
                                + TaskPrinter.text(r, "detail")));
            });
            out().flush();
            err().flush();
            return done.path("refused").isEmpty() ? ExitCodes.OK : ExitCodes.REFUSED;
        }
    }
}
