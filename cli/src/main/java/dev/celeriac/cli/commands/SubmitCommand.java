package dev.celeriac.cli.commands;

import static dev.celeriac.cli.commands.ApiPaths.segment;

import dev.celeriac.cli.internal.ApiClient;
import dev.celeriac.cli.internal.ApiCommand;
import dev.celeriac.cli.internal.ExitCodes;
import dev.celeriac.cli.internal.Json;
import dev.celeriac.cli.internal.TaskPrinter;
import dev.celeriac.cli.internal.TaskWaiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code celeriac submit demo.add 2 3 --wait}: one task, as {@code POST /api/v1/tasks}. */
@Command(
        name = "submit",
        description = {
            "Submit a task. Prints its id, or with --wait its result once it finished.",
            "Each ARG and each -k value is JSON when it reads as JSON (3, true, null, \"a b\", [1, 2], {\"a\": 1}),"
                    + " else a string."
        })
public final class SubmitCommand extends ApiCommand {

    @Parameters(index = "0", paramLabel = "TASK", description = "A registered task name, such as demo.add.")
    String task;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "Positional arguments.")
    List<String> args = new ArrayList<>();

    @Option(
            names = {"-k", "--kwarg"},
            paramLabel = "NAME=VALUE",
            description = "A keyword argument; repeatable.")
    Map<String, String> kwargs = new LinkedHashMap<>();

    @Option(names = "--queue", paramLabel = "QUEUE", description = "The work queue (default: default).")
    String queue;

    @Option(names = "--priority", paramLabel = "0-9", description = "Priority, 0 to 9.")
    Integer priority;

    @Option(
            names = "--countdown",
            paramLabel = "SECONDS",
            description = "Run no sooner than this many seconds from now.")
    Double countdown;

    @Option(names = "--eta", paramLabel = "INSTANT", description = "Run no sooner than this ISO-8601 time.")
    String eta;

    @Option(names = "--expires", paramLabel = "INSTANT|SECONDS", description = "Do not run after this.")
    String expires;

    @Option(names = "--max-retries", paramLabel = "N", description = "Retries allowed, over the task's own policy.")
    Integer maxRetries;

    @Option(names = "--idempotency-key", paramLabel = "KEY", description = "The same key submits the task once.")
    String idempotencyKey;

    @Option(
            names = "--wait",
            arity = "0..1",
            fallbackValue = "60",
            paramLabel = "SECONDS",
            description = "Wait for the result (60 s if no time is given). Exit 1 if the task failed, 7 if it had not"
                    + " finished in time.")
    Integer wait;

    @Override
    protected int run(ApiClient api) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("task", task);
        var positional = body.putArray("args");
        args.forEach(a -> positional.add(Json.value(a)));
        ObjectNode keyword = body.putObject("kwargs");
        kwargs.forEach((name, value) -> keyword.set(name, Json.value(value)));
        if (queue != null) {
            body.put("queue", queue);
        }
        if (priority != null) {
            body.put("priority", priority);
        }
        if (countdown != null) {
            body.put("countdown", countdown);
        }
        if (eta != null) {
            body.put("eta", eta);
        }
        if (expires != null) {
            body.set("expires", Json.value(expires));
        }
        if (maxRetries != null) {
            body.put("maxRetries", maxRetries);
        }
        JsonNode accepted = idempotencyKey == null
                ? api.post("/api/v1/tasks", body)
                : api.post("/api/v1/tasks", body, idempotencyKey);
        String id = accepted.path("id").asString();
        if (wait == null) {
            output.print(out(), accepted, () -> out().println(id));
            out().flush();
            return ExitCodes.OK;
        }
        JsonNode done = TaskWaiter.await(api, segment(id), Duration.ofSeconds(wait));
        output.print(out(), done, () -> {
            switch (done.path("state").asString()) {
                case "SUCCESS" -> out().println(Json.compact(done.path("result")));
                case "FAILURE" ->
                    err().println("task " + id + " failed: " + TaskPrinter.text(done.path("error"), "type") + ": "
                            + TaskPrinter.text(done.path("error"), "message"));
                case "REVOKED" -> err().println("task " + id + " was revoked");
                default ->
                    err().println("task " + id + " is " + done.path("state").asString() + " after " + wait
                            + " s; celeriac tasks show " + id + " tells more later");
            }
        });
        out().flush();
        err().flush();
        return TaskWaiter.exitCode(done);
    }
}
