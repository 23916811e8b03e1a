package dev.celeriac.bench.scenario;

import dev.celeriac.bench.report.Results;
import dev.celeriac.bench.stack.Stack;

/** One benchmark: it starts what it needs on the stack, measures, and adds its figures to the results. */
public interface Scenario {

    String name();

    void run(Stack stack, Results results) throws Exception;
}
