package dev.celeriac.cli.commands;

import dev.celeriac.cli.internal.ApiClient;
import dev.celeriac.cli.internal.ApiCommand;
import dev.celeriac.cli.internal.ApiException;
import dev.celeriac.cli.internal.ExitCodes;
import dev.celeriac.cli.internal.Json;
import dev.celeriac.cli.internal.Table;
import dev.celeriac.cli.internal.Table.Column;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code celeriac dead-letters …}: tasks that failed for good. */
@Command(
        name = "dead-letters",
        description = "List, replay and discard dead letters.",
        subcommands = {
            DeadLettersCommand.ListLetters.class,
            DeadLettersCommand.Replay.class,
            DeadLettersCommand.Discard.class
        })
public final class DeadLettersCommand {

    @Command(name = "list", description = "Dead letters, oldest first, with why each task failed.")
    public static final class ListLetters extends ApiCommand {

        @Option(names = "--queue", paramLabel = "QUEUE", description = "Of this queue only.")
        String queue;

        @Option(
                names = "--limit",
                paramLabel = "N",
                defaultValue = "100",
                description = "At most this many, 1 to 1000 (100).")
        int limit;

        @Override
        protected int run(ApiClient api) {
            JsonNode answer = api.get("/api/v1/dead-letters?limit=" + limit + ApiPaths.param("queue", queue));
            output.print(
                    out(),
                    answer,
                    () -> Table.of(
                                    answer.path("deadLetters"),
                                    new Column("ID", "id"),
                                    new Column("TASK ID", "taskId"),
                                    new Column("TASK", "task"),
                                    new Column("QUEUE", "queue"),
                                    new Column("REASON", "reason"),
                                    new Column("ERROR", "message"),
                                    new Column("FAILED", "failedAt"),
                                    new Column("REPLAYS", "replay"))
                            .print(out()));
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "replay",
            description = "Put dead letters back on their queues as new runs, with retries reset: the ids given, or"
                    + " --all of a queue (or of every queue).")
    public static final class Replay extends ApiCommand {

        @Parameters(paramLabel = "ID", arity = "0..*", description = "Dead letter ids (from dead-letters list).")
        List<Long> ids = new ArrayList<>();

        @Option(names = "--all", description = "Every dead letter (of --queue, if given).")
        boolean all;

        @Option(names = "--queue", paramLabel = "QUEUE", description = "With --all: of this queue only.")
        String queue;

        @Override
        protected int run(ApiClient api) {
            var targets = new ArrayList<>(ids);
            if (all) {
                api.get("/api/v1/dead-letters?limit=1000" + ApiPaths.param("queue", queue))
                        .path("deadLetters")
                        .forEach(letter -> targets.add(letter.path("id").asLong()));
            }
            if (targets.isEmpty()) {
                err().println(all ? "no dead letters to replay" : "give dead letter ids, or --all");
                err().flush();
                return all ? ExitCodes.OK : ExitCodes.USAGE;
            }
            var replayed = Json.MAPPER.createArrayNode();
            int failed = 0;
            for (long id : targets) {
                try {
                    JsonNode task = api.post("/api/v1/dead-letters/" + id + "/replay", null);
                    replayed.add(task);
                    if (!output.json()) {
                        out().println("replayed " + id + " (task "
                                + task.path("id").asString() + ")");
                    }
                } catch (ApiException e) {
                    failed++;
                    err().println("could not replay " + id + ": " + e.getMessage());
                }
            }
            if (output.json()) {
                out().println(Json.pretty(replayed));
            }
            out().flush();
            err().flush();
            return failed == 0 ? ExitCodes.OK : ExitCodes.REFUSED;
        }
    }

    @Command(name = "discard", description = "Discard dead letters: their tasks stay failed, and cannot be replayed.")
    public static final class Discard extends ApiCommand {

        @Parameters(paramLabel = "ID", arity = "1..*", description = "Dead letter ids.")
        List<Long> ids;

        @Override
        protected int run(ApiClient api) {
            for (long id : ids) {
                api.delete("/api/v1/dead-letters/" + id);
                out().println("discarded " + id);
            }
            out().flush();
            return ExitCodes.OK;
        }
    }
}
