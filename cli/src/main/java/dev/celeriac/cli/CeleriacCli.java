package dev.celeriac.cli;

import dev.celeriac.cli.commands.CeleriacCommand;

/** The {@code celeriac} command line's entry point: {@code java -jar celeriac-cli.jar --help}. */
public final class CeleriacCli {

    private CeleriacCli() {}

    public static void main(String[] args) {
        System.exit(CeleriacCommand.commandLine().execute(args));
    }
}
