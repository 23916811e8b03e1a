package dev.celeriac.cli.commands;

import dev.celeriac.cli.internal.ApiClient;
import dev.celeriac.cli.internal.ApiCommand;
import dev.celeriac.cli.internal.ExitCodes;
import dev.celeriac.cli.internal.Table;
import dev.celeriac.cli.internal.TaskPrinter;
import picocli.CommandLine.Command;
import tools.jackson.databind.JsonNode;

/** {@code celeriac queues …}: the work queues. */
@Command(name = "queues", description = "The work queues.", subcommands = QueuesCommand.ListQueues.class)
public final class QueuesCommand {

    @Command(name = "list", description = "Every work queue: ready messages, consumers, workers and dead letters.")
    public static final class ListQueues extends ApiCommand {

        @Override
        protected int run(ApiClient api) {
            JsonNode answer = api.get("/api/v1/queues");
            output.print(out(), answer, () -> {
                var table = new Table("QUEUE", "READY", "CONSUMERS", "WORKERS", "DEAD LETTERS");
                for (JsonNode queue : answer.path("queues")) {
                    table.row(
                            TaskPrinter.text(queue, "name"),
                            TaskPrinter.text(queue, "ready"),
                            TaskPrinter.text(queue, "consumers"),
                            TaskPrinter.text(queue, "workers"),
                            TaskPrinter.text(queue, "deadLetters"));
                }
                table.print(out());
            });
            return ExitCodes.OK;
        }
    }
}
