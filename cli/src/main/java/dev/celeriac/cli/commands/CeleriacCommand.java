package dev.celeriac.cli.commands;

import dev.celeriac.cli.internal.ApiException;
import dev.celeriac.cli.internal.ExitCodes;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/** {@code celeriac}: the top command, with every verb under it. */
@Command(
        name = "celeriac",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        versionProvider = CeleriacCommand.Version.class,
        description = {
            "Operate a Celeriac fleet through its REST API.",
            "",
            "The API's address and key come from --url and --key, the environment (CELERIAC_URL, CELERIAC_API_KEY)"
                    + " or ~/.config/celeriac/cli.properties (url=, key=). Tables for people; --json for scripts.",
        },
        footer = {
            "",
            "Exit status: 0 done; 1 the task waited for failed or was revoked; 2 wrong usage; 3 not found;"
                    + " 4 refused by the API; 5 key missing, unknown or not allowed; 6 API, broker or database"
                    + " unavailable; 7 a wait timed out.",
            "Shell completion: source <(celeriac completion)",
        },
        subcommands = {
            SubmitCommand.class,
            TasksCommand.class,
            DeadLettersCommand.class,
            QueuesCommand.class,
            WorkersCommand.class,
            SchedulesCommand.class,
            WhoamiCommand.class,
        })
public final class CeleriacCommand {

    /** The command line, ready to execute. */
    public static CommandLine commandLine() {
        var commandLine = new CommandLine(new CeleriacCommand());
        var completion = new AutoComplete.GenerateCompletion();
        commandLine.addSubcommand("completion", completion);
        commandLine
                .getSubcommands()
                .get("completion")
                .getCommandSpec()
                .usageMessage()
                .description("Print a bash (and zsh) completion script: source <(celeriac completion)")
                .hidden(false);
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof ApiException problem) {
                line.getErr().println("celeriac: " + problem.getMessage());
                line.getErr().flush();
                return problem.exitCode();
            }
            throw e;
        });
        commandLine.setExitCodeExceptionMapper(e -> ExitCodes.USAGE);
        return commandLine;
    }

    /** The version the jar was built as. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = CeleriacCommand.class.getPackage().getImplementationVersion();
            return new String[] {"celeriac " + (version == null ? "(development)" : version)};
        }
    }
}
