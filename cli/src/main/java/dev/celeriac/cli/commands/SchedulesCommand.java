package dev.celeriac.cli.commands;

import static dev.celeriac.cli.commands.ApiPaths.segment;

import dev.celeriac.cli.internal.ApiClient;
import dev.celeriac.cli.internal.ApiCommand;
import dev.celeriac.cli.internal.ExitCodes;
import dev.celeriac.cli.internal.Table;
import dev.celeriac.cli.internal.Table.Column;
import dev.celeriac.cli.internal.TaskPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code celeriac schedules …}: periodic tasks. */
@Command(
        name = "schedules",
        description = "List schedules and their fires; pause, resume, trigger and delete them (admin).",
        subcommands = {
            SchedulesCommand.ListSchedules.class,
            SchedulesCommand.Fires.class,
            SchedulesCommand.Pause.class,
            SchedulesCommand.Resume.class,
            SchedulesCommand.Trigger.class,
            SchedulesCommand.Delete.class
        })
public final class SchedulesCommand {

    @Command(name = "list", description = "Every schedule, when it fires next and last.")
    public static final class ListSchedules extends ApiCommand {

        @Override
        protected int run(ApiClient api) {
            JsonNode answer = api.get("/api/v1/schedules");
            output.print(out(), answer, () -> {
                var table = new Table("ID", "TASK", "WHEN", "NEXT", "LAST", "PAUSED", "ORIGIN");
                for (JsonNode schedule : answer.path("schedules")) {
                    table.row(
                            TaskPrinter.text(schedule, "id"),
                            TaskPrinter.text(schedule, "task"),
                            when(schedule),
                            TaskPrinter.text(schedule, "nextFireAt"),
                            TaskPrinter.text(schedule, "lastFireAt"),
                            schedule.path("paused").asBoolean() ? "yes" : "no",
                            TaskPrinter.text(schedule, "origin"));
                }
                table.print(out());
            });
            return ExitCodes.OK;
        }

        private static String when(JsonNode schedule) {
            if (!TaskPrinter.text(schedule, "cron").isEmpty()) {
                return "cron " + TaskPrinter.text(schedule, "cron") + " " + TaskPrinter.text(schedule, "zone");
            }
            if (!TaskPrinter.text(schedule, "every").isEmpty()) {
                return "every " + TaskPrinter.text(schedule, "every");
            }
            return "at " + TaskPrinter.text(schedule, "at");
        }
    }

    @Command(name = "fires", description = "A schedule's latest slots, each with its task and the task's state.")
    public static final class Fires extends ApiCommand {

        @Parameters(paramLabel = "ID", description = "The schedule's id.")
        String id;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "At most this many (20).")
        int limit;

        @Override
        protected int run(ApiClient api) {
            JsonNode answer = api.get("/api/v1/schedules/" + segment(id) + "/fires?limit=" + limit);
            output.print(
                    out(),
                    answer,
                    () -> Table.of(
                                    answer.path("fires"),
                                    new Column("SLOT", "slot"),
                                    new Column("OUTCOME", "outcome"),
                                    new Column("TASK", "taskId"),
                                    new Column("STATE", "state"),
                                    new Column("FIRED", "firedAt"))
                            .print(out()));
            return ExitCodes.OK;
        }
    }

    /** An action on one schedule, answered with the schedule (or the task it fired). */
    abstract static class Action extends ApiCommand {

        @Parameters(paramLabel = "ID", description = "The schedule's id.")
        String id;

        private final String verb;
        private final String done;

        /** The action's path under the schedule, and what was done, as the command says it. */
        Action(String verb, String done) {
            this.verb = verb;
            this.done = done;
        }

        String verb() {
            return verb;
        }

        String done() {
            return done;
        }

        @Override
        protected int run(ApiClient api) {
            JsonNode answer = api.post("/api/v1/schedules/" + segment(id) + "/" + verb(), null);
            output.print(
                    out(),
                    answer,
                    () -> out().println(done() + " " + id
                            + (verb().equals("trigger")
                                    ? ": task " + answer.path("id").asString()
                                    : "")));
            out().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "pause", description = "Stop a schedule firing until it is resumed.")
    public static final class Pause extends Action {
        public Pause() {
            super("pause", "paused");
        }
    }

    @Command(name = "resume", description = "Fire a paused schedule again (missed slots follow its missed policy).")
    public static final class Resume extends Action {
        public Resume() {
            super("resume", "resumed");
        }
    }

    @Command(
            name = "trigger",
            description = "Fire a schedule's task now, once, besides its slots; prints the task's id.")
    public static final class Trigger extends Action {
        public Trigger() {
            super("trigger", "fired");
        }
    }

    @Command(
            name = "delete",
            description = "Delete a schedule (a worker or configuration that declares it brings it back).")
    public static final class Delete extends ApiCommand {

        @Parameters(paramLabel = "ID", description = "The schedule's id.")
        String id;

        @Override
        protected int run(ApiClient api) {
            api.delete("/api/v1/schedules/" + segment(id));
            out().println("deleted " + id);
            out().flush();
            return ExitCodes.OK;
        }
    }
}
