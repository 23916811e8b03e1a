package dev.celeriac.cli.commands;

import static dev.celeriac.cli.commands.ApiPaths.segment;

import dev.celeriac.cli.internal.ApiClient;
import dev.celeriac.cli.internal.ApiCommand;
import dev.celeriac.cli.internal.Confirmation;
import dev.celeriac.cli.internal.ExitCodes;
import dev.celeriac.cli.internal.Table;
import dev.celeriac.cli.internal.Table.Column;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code celeriac queues …}: the work queues. */
@Command(
        name = "queues",
        description = "List the work queues; purge one (admin).",
        subcommands = {QueuesCommand.ListQueues.class, QueuesCommand.Purge.class})
public final class QueuesCommand {

    @Command(name = "list", description = "Every work queue: ready messages, consumers, workers and dead letters.")
    public static final class ListQueues extends ApiCommand {

        @Override
        protected int run(ApiClient api) {
            JsonNode answer = api.get("/api/v1/queues");
            output.print(
                    out(),
                    answer,
                    () -> Table.of(
                                    answer.path("queues"),
                                    new Column("QUEUE", "name"),
                                    new Column("READY", "ready"),
                                    new Column("CONSUMERS", "consumers"),
                                    new Column("WORKERS", "workers"),
                                    new Column("DEAD LETTERS", "deadLetters"))
                            .print(out()));
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "purge",
            description = "Remove a queue's ready messages; their tasks are recorded REVOKED (\"purged\"). Tasks"
                    + " workers hold, or that wait for an ETA or a retry, stay.")
    public static final class Purge extends ApiCommand {

        @Parameters(paramLabel = "QUEUE", description = "The work queue.")
        String queue;

        @Option(
                names = {"-y", "--yes"},
                description = "Do not ask.")
        boolean yes;

        @Override
        protected int run(ApiClient api) {
            if (!yes) {
                long ready = 0;
                for (JsonNode q : api.get("/api/v1/queues").path("queues")) {
                    if (q.path("name").asString().equals(queue)) {
                        ready = q.path("ready").asLong();
                    }
                }
                if (!Confirmation.ask(err(), "Purge the " + ready + " ready messages of " + queue + "?")) {
                    err().println("nothing done");
                    err().flush();
                    return ExitCodes.REFUSED;
                }
            }
            JsonNode purged = api.delete("/api/v1/queues/" + segment(queue) + "/messages");
            output.print(
                    out(),
                    purged,
                    () -> out().println("purged " + purged.path("purged").asLong() + " messages from " + queue));
            out().flush();
            return ExitCodes.OK;
        }
    }
}
