package dev.celeriac.worker.demo;

import dev.celeriac.worker.CeleriacTask;
import dev.celeriac.worker.NonRetryableException;
import dev.celeriac.worker.TaskContext;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Tasks to try Celeriac with, from a shell, from Python or from the benchmarks. */
@Component
public class DemoTasks {

    private static final Logger log = LoggerFactory.getLogger(DemoTasks.class);

    /** Adds two numbers. */
    @CeleriacTask(name = "demo.add")
    public long add(long a, long b) {
        return a + b;
    }

    /** Returns its keyword arguments. */
    @CeleriacTask(name = "demo.echo")
    public Map<String, Object> echo(Map<String, Object> kwargs) {
        return kwargs;
    }

    /** Waits, as an I/O-bound task does, and returns how long. */
    @CeleriacTask(name = "demo.sleep")
    public long sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
        return ms;
    }

    /** Computes a Fibonacci number the slow way: a CPU-bound task. */
    @CeleriacTask(name = "demo.fib")
    public long fib(int n) {
        if (n < 0 || n > 92) {
            throw new NonRetryableException("fib(n) needs 0 <= n <= 92, was " + n);
        }
        return slowFib(n);
    }

    private static long slowFib(int n) {
        return n < 2 ? n : slowFib(n - 1) + slowFib(n - 2);
    }

    /** Does nothing: the cost of a task itself. */
    @CeleriacTask(name = "demo.noop")
    public void noop() {}

    /** Fails with a retryable error on its first {@code failures} attempts, then returns the attempt number. */
    @CeleriacTask(name = "demo.flaky", maxRetries = 5, backoff = "500ms")
    public int flaky(int failures, TaskContext context) {
        if (context.retries() < failures) {
            throw new IllegalStateException(
                    "attempt " + context.attempt() + " of " + context.id() + " fails on purpose");
        }
        return context.attempt();
    }

    /** Logs a line, as a task's own code does: the line carries the task's id, name and attempt. */
    @CeleriacTask(name = "demo.log")
    public String log(String message) {
        log.info("{}", message);
        return message;
    }

    /**
     * Calls a partner's API that allows 5 calls a second from all of us together: the fleet starts it at most 5 times
     * a second however many workers run it, and a call waiting for its turn holds no slot.
     */
    @CeleriacTask(name = "demo.notify", globalRateLimit = "5/s")
    public String notify(String recipient) {
        return "notified " + recipient;
    }

    /** Always fails with an error that is not retried. */
    @CeleriacTask(name = "demo.fail")
    public void fail(String message) {
        throw new NonRetryableException(message);
    }

    /**
     * Adds up numbers, lists of numbers included (the results of a chord's header, or of its chunks): the reduce step
     * of a fan-out.
     */
    @CeleriacTask(name = "demo.sum")
    public long sum(List<Object> values) {
        long total = 0;
        for (Object value : values) {
            total += value instanceof List<?> list ? sum(List.copyOf(list)) : ((Number) value).longValue();
        }
        return total;
    }

    /** Counts the results a chord waiting for all its tasks was given: those that are values, and failed places. */
    @CeleriacTask(name = "demo.tally")
    public Map<String, Integer> tally(List<Object> results) {
        int failed = 0;
        for (Object result : results) {
            if (result instanceof Map<?, ?> place && place.containsKey("failed")) {
                failed++;
            }
        }
        return Map.of("succeeded", results.size() - failed, "failed", failed);
    }
}
