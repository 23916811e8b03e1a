package dev.celeriac.cli.commands;

import dev.celeriac.cli.internal.ApiClient;
import dev.celeriac.cli.internal.ApiCommand;
import dev.celeriac.cli.internal.ExitCodes;
import picocli.CommandLine.Command;
import tools.jackson.databind.JsonNode;

/** {@code celeriac whoami}: checks the address and the key. */
@Command(name = "whoami", description = "Check the API's address and the key: prints the key's role.")
public final class WhoamiCommand extends ApiCommand {

    @Override
    protected int run(ApiClient api) {
        JsonNode me = api.get("/api/v1/me");
        output.print(out(), me, () -> out().println(me.path("role").asString() + " at " + api.base()));
        out().flush();
        return ExitCodes.OK;
    }
}
