package dev.celeriac.bench.stack;

import dev.celeriac.protocol.names.MetricNames;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a worker's finished runs from its Prometheus endpoint: how the harness knows a run is done without a ledger. */
public final class WorkerProbe {

    private static final String COMPLETED = MetricNames.TASKS_COMPLETED.replace('.', '_') + "_total";

    private final JavaProcess worker;
    private final Pattern line;
    private final String task;
    private final String outcome;

    public WorkerProbe(JavaProcess worker, String task, String outcome) {
        this.worker = worker;
        this.line = Pattern.compile("^" + COMPLETED + "\\{([^}]*)\\} ([0-9.E+]+)$", Pattern.MULTILINE);
        this.task = "task=\"" + task + "\"";
        this.outcome = "outcome=\"" + outcome + "\"";
    }

    /** Runs of the task with the outcome, summed over queues. */
    public long count() {
        Matcher m = line.matcher(worker.get("/actuator/prometheus"));
        double total = 0;
        while (m.find()) {
            if (m.group(1).contains(task) && m.group(1).contains(outcome)) {
                total += Double.parseDouble(m.group(2));
            }
        }
        return (long) total;
    }
}
