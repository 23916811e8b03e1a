package dev.celeriac.cli.internal;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that calls the API: the connection and output options, and where to print. */
public abstract class ApiCommand implements Callable<Integer> {

    @Mixin
    protected Connection connection;

    @Mixin
    protected Output output;

    @Spec
    protected CommandSpec spec;

    @Override
    public final Integer call() {
        return run(connection.client());
    }

    /** Does the command's work; returns its exit status. */
    protected abstract int run(ApiClient api);

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
