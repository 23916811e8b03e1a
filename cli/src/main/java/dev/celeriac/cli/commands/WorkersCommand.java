package dev.celeriac.cli.commands;

import static dev.celeriac.cli.commands.ApiPaths.segment;

import dev.celeriac.cli.internal.ApiClient;
import dev.celeriac.cli.internal.ApiCommand;
import dev.celeriac.cli.internal.ExitCodes;
import dev.celeriac.cli.internal.Json;
import dev.celeriac.cli.internal.Table;
import dev.celeriac.cli.internal.TaskPrinter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code celeriac workers …}: the fleet, and Celery's remote control of it. */
@Command(
        name = "workers",
        description = "List workers; ping, resize, rate-limit and shut them down (admin).",
        subcommands = {
            WorkersCommand.ListWorkers.class,
            WorkersCommand.Ping.class,
            WorkersCommand.Pool.class,
            WorkersCommand.RateLimit.class,
            WorkersCommand.Shutdown.class
        })
public final class WorkersCommand {

    @Command(name = "list", description = "Every worker heard of: alive, pool, active and processed tasks, heartbeat.")
    public static final class ListWorkers extends ApiCommand {

        @Override
        protected int run(ApiClient api) {
            JsonNode answer = api.get("/api/v1/workers");
            output.print(out(), answer, () -> {
                var table = new Table("WORKER", "ALIVE", "POOL", "ACTIVE", "PROCESSED", "QUEUES", "LAST HEARTBEAT");
                for (JsonNode view : answer.path("workers")) {
                    JsonNode worker = view.path("worker");
                    table.row(
                            TaskPrinter.text(worker, "hostname"),
                            view.path("alive").asBoolean() ? "yes" : "no",
                            TaskPrinter.text(worker, "pool") + " × " + TaskPrinter.text(worker, "poolSize"),
                            TaskPrinter.text(worker, "active"),
                            TaskPrinter.text(worker, "processed"),
                            String.join(",", names(worker.path("queues"))),
                            TaskPrinter.text(worker, "lastHeartbeat"));
                }
                table.print(out());
            });
            return ExitCodes.OK;
        }
    }

    @Command(name = "ping", description = "Ping every worker, or those named; prints who answered within a second.")
    public static final class Ping extends Control {

        @Parameters(paramLabel = "WORKER", arity = "0..*", description = "Worker names; every worker if none.")
        List<String> workers = new ArrayList<>();

        @Override
        protected int run(ApiClient api) {
            ObjectNode body = Json.MAPPER.createObjectNode();
            var to = body.putArray("workers");
            workers.forEach(to::add);
            return replies(api.post("/api/v1/workers/ping", body));
        }
    }

    @Command(name = "pool", description = "Grow (+N) or shrink (-N) a worker's pools.")
    public static final class Pool extends Control {

        @Parameters(index = "0", paramLabel = "WORKER", description = "The worker's name.")
        String worker;

        @Parameters(index = "1", paramLabel = "CHANGE", description = "Slots to add (3) or remove (-2).")
        int change;

        @Override
        protected int run(ApiClient api) {
            return replies(api.post(
                    "/api/v1/workers/" + segment(worker) + "/pool",
                    Json.MAPPER.createObjectNode().put("change", change)));
        }
    }

    @Command(
            name = "rate-limit",
            description = "Set a task's rate limit on the workers (10/s, 100/m, 1000/h; 0 lifts it).")
    public static final class RateLimit extends Control {

        @Parameters(index = "0", paramLabel = "TASK", description = "The task's name.")
        String task;

        @Parameters(index = "1", paramLabel = "LIMIT", description = "Per worker, in Celery's syntax.")
        String limit;

        @Option(names = "--worker", paramLabel = "WORKER", description = "Only this worker; repeatable.")
        List<String> workers = new ArrayList<>();

        @Override
        protected int run(ApiClient api) {
            ObjectNode body = Json.MAPPER.createObjectNode().put("rateLimit", limit);
            if (!workers.isEmpty()) {
                var to = body.putArray("workers");
                workers.forEach(to::add);
            }
            return replies(api.put("/api/v1/workers/rate-limits/" + segment(task), body));
        }
    }

    @Command(
            name = "shutdown",
            description = "Ask a worker to stop: it finishes or hands back what it runs, then exits.")
    public static final class Shutdown extends Control {

        @Parameters(paramLabel = "WORKER", description = "The worker's name.")
        String worker;

        @Override
        protected int run(ApiClient api) {
            return replies(api.post("/api/v1/workers/" + segment(worker) + "/shutdown", null));
        }
    }

    /** A remote control command: prints what each worker that answered said. */
    abstract static class Control extends ApiCommand {

        int replies(JsonNode answer) {
            output.print(out(), answer, () -> {
                var table = new Table("WORKER", "REPLY");
                answer.path("replies")
                        .properties()
                        .forEach(reply -> table.row(
                                reply.getKey(),
                                reply.getValue().has("ok")
                                        ? reply.getValue().path("ok").asString()
                                        : "error: "
                                                + Json.compact(reply.getValue().path("error"))));
                table.print(out());
            });
            boolean anyError = false;
            for (var reply : answer.path("replies").properties()) {
                anyError |= reply.getValue().has("error");
            }
            return anyError ? ExitCodes.REFUSED : ExitCodes.OK;
        }
    }

    private static List<String> names(JsonNode array) {
        var names = new ArrayList<String>();
        array.forEach(n -> names.add(n.asString()));
        return names;
    }
}
