package dev.celeriac.cli.internal;

import java.io.PrintWriter;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/** How a command prints: a table or lines for people, or with {@code --json} the API's answer as it came. */
public final class Output {

    @Option(names = "--json", description = "Print the API's answer as JSON, for scripts.")
    boolean json;

    public boolean json() {
        return json;
    }

    /** Prints the answer as JSON if asked, else runs {@code human}. */
    public void print(PrintWriter out, JsonNode answer, Runnable human) {
        if (json) {
            out.println(Json.pretty(answer));
            out.flush();
        } else {
            human.run();
        }
    }
}
